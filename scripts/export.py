"""`make -s export FROM=2026-01-01 TO=2026-12-31 [MUNICIPALITY=leiden] [FORMAT=json]`: the reports of a period
from the configured database (DATABASE_URL) as CSV (header first, one report a row) or JSON on stdout.

For the griffie's own use on the server (the yearly overview, the GIR): all municipalities, or one. The same
columns as the griffie page's export, so never the story or other free text (channels/griffie/export.py says
why). Every run writes an audit row ("exported" by cli:<user>).
"""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from datetime import date

from actions.store import db, inbox
from channels.griffie import export


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"geen datum (JJJJ-MM-DD): {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="since", type=_day, required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="until", type=_day, required=True, help="last day (inclusive), YYYY-MM-DD")
    parser.add_argument("--municipality", default="", help="only this municipality (protocol key, e.g. leiden)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    args = parser.parse_args(argv)
    if args.since > args.until:
        parser.error("FROM ligt na TO")
    municipality = args.municipality.strip().lower() or None
    with db.transaction() as session:
        reports = inbox.reports_in_period(session, args.since, args.until, municipality_key=municipality)
        rows = export.rows(reports, inbox.undelivered(session, [r.id for r in reports]))
        inbox.audit(session, f"cli:{getpass.getuser()}", "exported", None, socket.gethostname()[:64],
                    detail=f"{args.since.isoformat()} t/m {args.until.isoformat()}, {municipality or 'alle gemeenten'}, "
                           f"{len(rows)} meldingen, {args.format}")
    sys.stdout.write(export.as_json(rows) + "\n" if args.format == "json" else export.as_csv(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
