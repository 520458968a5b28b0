"""`make -s export FROM=... TO=...` (scripts/export.py): the CSV of the configured database on stdout, header first,
one report a row, no story text; all municipalities or one; an audit row per run."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import export as export_script  # scripts/export.py (scripts/ is on the tests' path)
import pytest
from sqlalchemy.orm import Session

from actions.store import inbox
from channels.griffie import demo_data
from channels.griffie.export import HEADER


def test_the_export_of_a_period_prints_a_header_and_one_row_per_report(connection, capsys):
    with Session(connection) as session, session.begin():
        demo_data.seed(session)
    year = datetime.now(UTC).year
    assert export_script.main(["--from", f"{year}-01-01", "--to", f"{year}-12-31"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    assert rows[0] == HEADER and len(rows) == 1 + len(demo_data.REPORTS)
    assert "Demo" not in out and "stadhuis" not in out  # no free text
    with Session(connection) as session:
        [entry] = inbox.audit_entries(session)
    assert entry.actor.startswith("cli:") and entry.reference is None and f"{len(demo_data.REPORTS)} meldingen" in entry.detail

    assert export_script.main(["--from", f"{year}-01-01", "--to", f"{year}-12-31", "--municipality", "Nijmegen"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out), delimiter=";"))
    assert {r[HEADER.index("gemeente")] for r in rows[1:]} == {"Nijmegen"} and len(rows) == 3
    assert export_script.main(["--from", f"{year - 5}-01-01", "--to", f"{year - 5}-12-31", "--format", "json"]) == 0
    assert '"meldingen": []' in capsys.readouterr().out


def test_a_wrong_period_is_refused(connection, capsys):
    with pytest.raises(SystemExit):
        export_script.main(["--from", "2026-12-31", "--to", "2026-01-01"])
    with pytest.raises(SystemExit):
        export_script.main(["--from", "gisteren", "--to", "2026-01-01"])
