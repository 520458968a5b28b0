"""The griffie's anonymised yearly overview (issue 14, item 3): counts of one municipality's reports in one
calendar year, and the small-count suppression that makes them safe to hand to the presidium.

Why: the Nijmegen protocol, § 4.1 "Dialoog, training": "Jaarlijks wordt een geanonimiseerd verslag gemaakt van
de incidenten." (../shared/seeds/001_*.txt). This module only reads (SELECT on a few columns of `reports`,
`report_events` and the aftercare tables); it never loads free text, and every value it counts is a key from a fixed list (an unknown or
empty value counts as "onbekend"), so no typed word can reach the overview.

What is counted: the reports filed in the calendar year (Amsterdam time) whose `municipality_key` is the
municipality, except those the user withdrew (status "ingetrokken") or asked to erase (`erase_after` set).
Per category (A-D), role, medium (how it happened), month, and whether an aangifte was made (the status is or
ever was "aangifte_gedaan", from the status history), and whether aftercare (nazorg) was given: the user agreed
to it (aftercare_plans.consent) and at least one check-in ("Hoe gaat het nu met u?", not the question for
consent) was sent (aftercare_checkins, store/aftercare.py). Nazorg is a table like aangifte (ja / nee), with the
same suppression.

Suppression (`anonymise`), per table; every table is a split of the same year total N:

1. A count of 1 to 4 is shown as "< 5" (primary suppression). 0 stays 0; 5 or more is shown.
2. If a table has a "< 5" cell, its smallest other non-zero count is hidden too, shown as "×" (secondary
   suppression; on a tie the first in table order). Otherwise N minus the visible cells would give the
   "< 5" cell back.
3. Then the table is checked as a reader who knows this rule would read it: N, the visible cells, "< 5" =
   1..4, "×" = at least 5 and at most the visible cells it was chosen before. If that still pins a "< 5" cell
   to one number (e.g. N = 11 split 1 / 5 / 5: the "×" is 5 or less, so the "< 5" is 1), the table's split
   is not shown at all (`withheld`), only N. A table of two cells (aangifte ja / nee) with a "< 5" cell is
   always withheld: both cells would be hidden, and withholding only some of those splits would tell which.
   So is a table whose non-zero cells are all "< 5" (there is no count of 5 or more to hide with them).
4. If N itself is 1 to 4, N is "< 5" and no split is shown: with so few reports any split can point to a
   person.

Tables are one-way only (never category x month), so they share nothing but N, and a hidden cell cannot be
recovered by combining two tables. Tests replay the rule on every possible table of a few cells
(tests/bot/actions/store/test_overview.py) and check that no "< 5" cell has only one possible value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from actions.knowledge import ROLES
from actions.report_fields import MEDIA, REPORT_FIELDS
from actions.store.aftercare import OFFER, AftercareCheckin, AftercarePlan
from actions.store.models import Report, ReportEvent

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
THRESHOLD = 5  # counts 1 .. THRESHOLD-1 are shown as "< 5"
SMALL, HIDDEN, WITHHELD = "< 5", "×", "niet getoond"
UNKNOWN = "onbekend"
POLICE_STATUS = "aangifte_gedaan"  # store.models.STATUS_LABELS: "aangifte gedaan"
EXCLUDED_STATUSES = ("ingetrokken",)
MEDIUM_COLUMN = next(f.column for f in REPORT_FIELDS if f.choices is MEDIA)  # a choice key, never free text

CATEGORIES = ("A", "B", "C", "D")
# table key -> the cell keys in display order (every table splits the same total)
TABLES: dict[str, tuple[str, ...]] = {
    "categorie": (*CATEGORIES, UNKNOWN),
    "rol": (*ROLES, UNKNOWN),
    "medium": (*MEDIA, UNKNOWN),
    "maand": tuple(str(m) for m in range(1, 13)),
    "aangifte": ("ja", "nee"),
    "nazorg": ("ja", "nee"),  # nazorg gegeven
}


@dataclass(frozen=True)
class Counts:
    """The raw counts of one municipality's year: never shown as such (see `anonymise`)."""

    year: int
    municipality_key: str
    total: int
    tables: dict[str, dict[str, int]]  # table key -> cell key -> count, every cell of TABLES present


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime(year, 1, 1, tzinfo=AMSTERDAM).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=AMSTERDAM).astimezone(UTC)
    return start, end


def _local_month(moment: datetime) -> int:
    if moment.tzinfo is None:  # SQLite drops the zone; the store writes UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(AMSTERDAM).month


def _known(value: str | None, keys: tuple[str, ...]) -> str:
    return value if value in keys else UNKNOWN


def count_year(session: Session, year: int, municipality_key: str) -> Counts:
    """The counts of `municipality_key`'s reports filed in `year` (calendar year, Amsterdam time)."""
    start, end = _year_bounds(year)
    police = exists().where(ReportEvent.report_id == Report.id, ReportEvent.kind == "status",
                            ReportEvent.status == POLICE_STATUS)
    aftercare_given = (exists().where(AftercarePlan.report_id == Report.id, AftercarePlan.consent.is_(True))
                       & exists().where(AftercareCheckin.report_id == Report.id, AftercareCheckin.position != OFFER,
                                        AftercareCheckin.state == "sent"))
    query = (select(Report.created_at, Report.category, Report.role, getattr(Report, MEDIUM_COLUMN),
                    (Report.status == POLICE_STATUS) | police, aftercare_given)
             .where(Report.municipality_key == municipality_key.strip().lower(),
                    Report.created_at >= start, Report.created_at < end,
                    Report.status.not_in(EXCLUDED_STATUSES), Report.erase_after.is_(None)))
    tables: dict[str, Counter[str]] = {key: Counter() for key in TABLES}
    total = 0
    for created_at, category, role, medium, reported, aftercare in session.execute(query):
        total += 1
        tables["categorie"][_known(category, TABLES["categorie"])] += 1
        tables["rol"][_known(role, TABLES["rol"])] += 1
        tables["medium"][_known(medium, TABLES["medium"])] += 1
        tables["maand"][str(_local_month(created_at))] += 1
        tables["aangifte"]["ja" if reported else "nee"] += 1
        tables["nazorg"]["ja" if aftercare else "nee"] += 1
    return Counts(year, municipality_key.strip().lower(), total,
                  {key: {cell: tables[key][cell] for cell in cells} for key, cells in TABLES.items()})


# --- suppression ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    key: str
    shown: str  # what every output prints: a number, "< 5", "×" or "niet getoond"
    value: int | None  # the count when it may be shown (0 or >= 5), else None: plots use only this

    @property
    def small(self) -> bool:
        return self.shown == SMALL


@dataclass(frozen=True)
class Table:
    key: str
    cells: tuple[Cell, ...]
    withheld: bool  # the split is not shown (rule 3 or 4); the cells then say "niet getoond"


@dataclass(frozen=True)
class Overview:
    """What may leave the system: no raw count below 5, no free text."""

    year: int
    municipality_key: str
    total: Cell
    tables: tuple[Table, ...]


def suppress(cells: dict[str, int], total: int) -> tuple[dict[str, str], bool]:
    """One table's cells as shown (key -> number, "< 5" or "×") and whether the split must be withheld.
    `total` (N, at least 5, shown) is the sum of the cells. The rule is in the module docstring."""
    order = list(cells)
    shown = {k: str(v) for k, v in cells.items()}
    small = [k for k, v in cells.items() if 0 < v < THRESHOLD]
    if not small:
        return shown, False
    if len(cells) == 2:  # with N known, both cells would be hidden: nothing left to show
        return {k: HIDDEN for k in cells}, True
    for k in small:
        shown[k] = SMALL
    candidates = sorted((v, order.index(k), k) for k, v in cells.items() if v >= THRESHOLD)
    if not candidates:  # every non-zero cell is "< 5": N minus the zeros is their sum, nothing to hide them with
        return shown, True
    hidden = candidates[0][2]
    shown[hidden] = HIDDEN
    # The reader's view: the sum of the hidden cells, and the bounds the display and this rule give them.
    # "×" was the smallest count of 5 or more (the first in table order on a tie): at most each visible
    # non-zero cell, and below those before it in table order.
    rest = total - sum(v for k, v in cells.items() if shown[k] not in (SMALL, HIDDEN))
    n, position = len(small), order.index(hidden)
    ceiling = min((v - 1 if order.index(k) < position else v for k, v in cells.items()
                   if shown[k] not in (SMALL, HIDDEN) and v > 0), default=None)
    high = min(THRESHOLD - 1, rest - (n - 1) - THRESHOLD)
    low = 1 if ceiling is None else max(1, rest - (THRESHOLD - 1) * (n - 1) - ceiling)
    return shown, low >= high


def anonymise(counts: Counts) -> Overview:
    """The counts as they may be shown, in CSV, HTML and plots alike (the rule is in the module docstring)."""
    n = counts.total
    tables = []
    for key, cells in counts.tables.items():
        if n == 0:
            tables.append(Table(key, tuple(Cell(k, "0", 0) for k in cells), False))
            continue
        if n < THRESHOLD:
            tables.append(Table(key, tuple(Cell(k, WITHHELD, None) for k in cells), True))
            continue
        shown, withheld = suppress(cells, n)
        if withheld:
            tables.append(Table(key, tuple(Cell(k, WITHHELD, None) for k in cells), True))
        else:
            tables.append(Table(key, tuple(
                Cell(k, shown[k], cells[k] if shown[k] not in (SMALL, HIDDEN) else None) for k in cells), False))
    total = Cell("totaal", str(n), n) if n == 0 or n >= THRESHOLD else Cell("totaal", SMALL, None)
    return Overview(counts.year, counts.municipality_key, total, tuple(tables))


def overview(session: Session, year: int, municipality_key: str) -> Overview:
    """Counted and anonymised: the only thing the page, the CSV and `make overview` get."""
    return anonymise(count_year(session, year, municipality_key))


def years_with_reports(session: Session, municipality_key: str, today: date | None = None) -> list[int]:
    """The years for the year selector: from the first report of the municipality (or this year) to this year."""
    first = session.scalar(select(Report.created_at).where(Report.municipality_key == municipality_key)
                           .order_by(Report.created_at).limit(1))
    this_year = (today or datetime.now(AMSTERDAM).date()).year
    start = min(this_year, first.year) if first is not None else this_year
    return list(range(this_year, start - 1, -1))
