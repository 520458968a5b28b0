"""The export of a period (CSV or JSON, one report a row, header first), for the griffie's overview and the GIR.

Only fields that cannot hold a story are exported: the reference, the dates, municipality, role, category,
whether reporting was required, acute, online, the contact function, the status, whether the notification
was delivered, and every *choice* field of the report form (REPORT_FIELDS with choices, e.g. the medium).
Free text (what, who, when, where, with what, how, why) and the cues are never exported: they are special
personal data (names, health, political views, quotes) and an export is a file that leaves the system (a
spreadsheet, an e-mail). A field added to the form later follows the same rule: encrypted means not exported.
The full text is on the printable page of one report, which is audited per report.

Evidence (issue 14) is listed per report as its number of items and, per item, a neutral file name
(bewijs-<n>.<extension>), its kind and size: never the name as the user sent it (it may name a person), never a
link's text, never the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import object_session

from actions.report_fields import REPORT_FIELDS
from actions.store import evidence
from actions.store.models import Report
from channels.griffie.pages import local

CHOICE_FIELDS = [f for f in REPORT_FIELDS if not f.encrypted]
HEADER = ["kenmerk", "datum", "tijd", "gemeente", "rol", "categorie", "subcategorie", "melden_verplicht", "acuut",
          "online", *[f.column for f in CHOICE_FIELDS], "contactfunctie", "status", "bericht_bezorgd",
          "bewijs_aantal", "bewijs"]


def evidence_text(items: list[evidence.Item]) -> str:
    """'bewijs-1.jpg (foto, 245312 bytes); bewijs-2 (link)'."""
    return "; ".join(f"bewijs-{i.number} (link)" if i.kind == "link" else
                     f"bewijs-{i.number}.{evidence.EXTENSIONS.get(i.media_type, 'bin')} "
                     f"({evidence.NOUNS[i.kind][0]}, {i.media_type}, {i.size} bytes)" for i in items)


def row(report: Report, delivered: bool, items: list[evidence.Item] | None = None) -> dict[str, Any]:
    filed = local(report.created_at)
    return {
        "kenmerk": report.reference,
        "datum": f"{filed:%d-%m-%Y}" if filed else "",
        "tijd": f"{filed:%H:%M}" if filed else "",
        "gemeente": report.municipality or "",
        "rol": report.role or "",
        "categorie": report.category or "",
        "subcategorie": report.subkind or "",
        "melden_verplicht": "ja" if report.reporting == "required" else "nee",
        "acuut": "ja" if report.acute else "nee",
        "online": "ja" if report.online else "nee",
        **{f.column: f.shown(getattr(report, f.column)) or "" for f in CHOICE_FIELDS},
        "contactfunctie": report.contact_function or "",
        "status": report.status or "",
        "bericht_bezorgd": "ja" if delivered else "nee",
        "bewijs_aantal": len(items or []),
        "bewijs": evidence_text(items or []),
    }


def rows(reports: Iterable[Report], undelivered: set[int] | frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """One row per report; the evidence is read in the session the reports were read in."""
    reports = list(reports)
    session = object_session(reports[0]) if reports else None
    items = evidence.summary(session, reports) if session is not None else {}
    return [row(r, r.id not in undelivered, items.get(r.id)) for r in reports]


def as_csv(data: list[dict[str, Any]]) -> str:
    """Semicolon-separated (Dutch Excel opens it as columns), header first."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(data)
    return out.getvalue()


def as_json(data: list[dict[str, Any]]) -> str:
    return json.dumps({"velden": HEADER, "meldingen": data}, ensure_ascii=False, indent=1)
