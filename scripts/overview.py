"""`make -s overview YEAR=2026 MUNICIPALITY=leiden [FORMAT=html] [OUT=file]`: the anonymised yearly overview of one
municipality (Nijmegen protocol § 4.1: "Jaarlijks wordt een geanonimiseerd verslag gemaakt van de incidenten.").

CSV on stdout (header first; for the presidium's own use), or with FORMAT=html a whole HTML page with tables and
plots written to OUT (default var/jaaroverzicht-<municipality>-<year>.html; its path is printed). Counts of 1 to 4
are "< 5" and complementary counts are hidden (actions/store/overview.py says how). Every run writes an audit
row ("exported" by cli:<user>), as `make export` does.
"""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from pathlib import Path

from actions.store import db, inbox
from actions.store import overview as store
from channels.griffie import overview

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, required=True, help="calendar year, e.g. 2026")
    parser.add_argument("--municipality", required=True, help="protocol key, e.g. leiden")
    parser.add_argument("--format", choices=("csv", "html"), default="csv")
    parser.add_argument("--out", default="", help="HTML file to write (FORMAT=html)")
    args = parser.parse_args(argv)
    key = args.municipality.strip().lower()
    if not key:
        parser.error("MUNICIPALITY ontbreekt (bijvoorbeeld MUNICIPALITY=leiden)")
    if not 2000 <= args.year <= 2100:
        parser.error(f"geen jaar: {args.year}")
    with db.transaction() as session:
        result = store.overview(session, args.year, key)
        name = overview.municipality_name(session, key)
        inbox.audit(session, f"cli:{getpass.getuser()}", "exported", None, socket.gethostname()[:64],
                    detail=f"jaaroverzicht {args.year} {key}, geanonimiseerd, {args.format}")
    text = overview.render(result, name, args.format)
    if args.format == "csv":
        sys.stdout.write(text)
        return 0
    out = Path(args.out) if args.out else ROOT / "var" / f"jaaroverzicht-{key}-{args.year}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
