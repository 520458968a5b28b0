"""The yearly overview's counts (actions/store/overview.py) against a direct count in the database, and its
small-count suppression: 1-4 is "< 5", a complementary count is hidden, and a reader who replays the rule on
every possible table never pins a "< 5" cell to one number."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from actions.report_fields import ReportDraft
from actions.store import aftercare, inbox, reports
from actions.store import overview as store
from actions.store.models import Report, ReportEvent

SECRET_TEXT = "Geheim verhaal over Jansen van de Dorpsstraat 7"
# One year of Leiden reports: each attribute with these multiplicities (N = 30), zipped into 30 reports.
CATEGORY = {"A": 12, "B": 9, "C": 6, "D": 3}  # D "< 5", C hidden ("×")
ROLE = {"raadslid": 20, "wethouder": 7, "burgemeester": 1, "fractievolger": 2}  # two "< 5", wethouder "×"
MEDIUM = {"face_to_face": 10, "social_media": 10, "email": 5, "phone": 5}  # nothing to hide
MONTH = {1: 8, 3: 9, 6: 6, 9: 4, 12: 3}  # two "< 5", June "×"
POLICE = 6  # 4 with status aangifte_gedaan, 2 closed after an aangifte (from the history)
AFTERCARE = 8  # every 4th report: consent and a check-in sent; the others have near misses (see _aftercare)


def _spread(counts: dict) -> list:
    return [key for key, n in counts.items() for _ in range(n)]


def _draft(key: str, municipality: str, category: str, role: str, medium: str) -> ReportDraft:
    answers = {name: f"{SECRET_TEXT} ({name})" for name in ("what", "who", "when", "where", "with_what", "how", "why")}
    answers["medium"] = medium
    return ReportDraft(draft_id=f"overview-{key}", conversation_id=f"overview-{key}", municipality=municipality.capitalize(),
                       municipality_key=municipality, role=role, category=category, subkind=None, reporting="optional",
                       acute=False, online=False, contact_function="griffier", answers=answers)


def _file(session: Session, key: str, at: datetime, municipality: str = "leiden", category: str = "B",
          role: str = "raadslid", medium: str = "phone") -> Report:
    report, _ = reports.submit_report(session, _draft(key, municipality, category, role, medium), now=at)
    return report


def _aftercare(session: Session, report: Report, consent: bool | None, sent: tuple[int, ...], pending: tuple[int, ...] = ()):
    """The aftercare of a report as store/aftercare.py keeps it: the plan, check-ins sent and still pending
    (position 0 is the question for consent, 1.. the check-ins)."""
    at = report.created_at
    session.add(aftercare.AftercarePlan(report_id=report.id, consent=consent, decided_at=at if consent is not None else None))
    for position in sent:
        session.add(aftercare.AftercareCheckin(report_id=report.id, position=position, due_at=at, state="sent", attempts=1,
                                               next_attempt_at=at, sent_at=at))
    for position in pending:
        session.add(aftercare.AftercareCheckin(report_id=report.id, position=position, due_at=at + timedelta(days=30),
                                               state="pending", attempts=0, next_attempt_at=at + timedelta(days=30)))
    session.flush()


def seed_year(session: Session, year: int = 2025) -> None:
    """30 counted Leiden reports in `year`, and reports that must not be counted (other year, other municipality,
    withdrawn, to be erased). The first January report is filed at 00:30 on 1 January in Amsterdam (still the
    year before in UTC)."""
    months = _spread(MONTH)
    for i, (category, role, medium, month) in enumerate(zip(_spread(CATEGORY), _spread(ROLE), _spread(MEDIUM), months, strict=True)):
        at = datetime(year, month, 10 + i % 15, 9, tzinfo=UTC)
        if i == 0:
            at = datetime(year - 1, 12, 31, 23, 30, tzinfo=UTC)  # 1 January 00:30 in Amsterdam
        report = _file(session, f"{year}-{i}", at, category=category, role=role, medium=medium)
        if i % 5 == 1:  # 6 reports: 4 stay "aangifte gedaan", 2 are closed afterwards
            for status in ("in_behandeling", "aangifte_gedaan", *(("afgesloten",) if i in (1, 6) else ())):
                inbox.set_status(session, report, status, "intern", "griffie-leiden")
        elif i % 5 == 2:
            for status in ("in_behandeling", "doorverwezen"):
                inbox.set_status(session, report, status, "intern", "griffie-leiden")
        if i % 4 == 0:  # nazorg given: consent, the question and a check-in sent, the next one pending
            _aftercare(session, report, True, sent=(aftercare.OFFER, 1), pending=(2,))
        elif i % 4 == 1:  # consent, but no check-in sent yet
            _aftercare(session, report, True, sent=(aftercare.OFFER,), pending=(1, 2))
        elif i % 4 == 2:  # no consent (a check-in row sent by mistake must not count either)
            _aftercare(session, report, False, sent=(aftercare.OFFER, 1))
        elif i == 3:  # asked, never answered
            _aftercare(session, report, None, sent=(aftercare.OFFER,))
    # Not counted:
    _file(session, f"{year}-last-year", datetime(year - 1, 12, 31, 22, 30, tzinfo=UTC), category="D")  # 23:30 local
    _file(session, f"{year}-nijmegen", datetime(year, 5, 1, 9, tzinfo=UTC), municipality="nijmegen", category="D")
    withdrawn = _file(session, f"{year}-withdrawn", datetime(year, 5, 2, 9, tzinfo=UTC), category="D")
    reports.withdraw(session, withdrawn)
    _aftercare(session, withdrawn, True, sent=(aftercare.OFFER, 1))  # withdrawn: not counted, nazorg neither
    erased = _file(session, f"{year}-erased", datetime(year, 5, 3, 9, tzinfo=UTC), category="D")
    erased.erase_after = datetime(year + 1, 1, 1, tzinfo=UTC)
    session.flush()


@pytest.fixture
def seeded(session):
    seed_year(session, 2025)
    return session


def _direct(session: Session, year: int, key: str) -> dict[str, Counter]:
    """The same counts by plain SQL GROUP BY over the counted rows (the months from the rows' timestamps)."""
    start, end = inbox.day_start(datetime(year, 1, 1).date()), inbox.day_start(datetime(year + 1, 1, 1).date())
    counted = (Report.municipality_key == key, Report.created_at >= start, Report.created_at < end,
               Report.status != "ingetrokken", Report.erase_after.is_(None))
    result: dict[str, Counter] = {}
    for name, column in (("categorie", Report.category), ("rol", Report.role), ("medium", Report.__table__.c.medium)):
        result[name] = Counter(dict(session.execute(select(column, func.count()).where(*counted).group_by(column)).all()))
    result["maand"] = Counter(str(created.replace(tzinfo=created.tzinfo or UTC).astimezone(inbox.AMSTERDAM).month)
                              for created in session.scalars(select(Report.created_at).where(*counted)))
    police = or_(Report.status == "aangifte_gedaan", Report.id.in_(
        select(ReportEvent.report_id).where(ReportEvent.status == "aangifte_gedaan")))
    result["aangifte"] = Counter({"ja": session.scalar(select(func.count()).where(*counted, police)),
                                  "nee": session.scalar(select(func.count()).where(*counted, ~police))})
    given = Report.id.in_(select(aftercare.AftercarePlan.report_id).where(aftercare.AftercarePlan.consent.is_(True))
                          .intersect(select(aftercare.AftercareCheckin.report_id).where(
                              aftercare.AftercareCheckin.position > aftercare.OFFER,
                              aftercare.AftercareCheckin.state == "sent")))
    result["nazorg"] = Counter({"ja": session.scalar(select(func.count()).where(*counted, given)),
                                "nee": session.scalar(select(func.count()).where(*counted, ~given))})
    result["totaal"] = Counter({"n": session.scalar(select(func.count()).where(*counted))})
    return result


def test_the_counts_match_a_direct_count_in_the_database(seeded):
    counts = store.count_year(seeded, 2025, "leiden")
    direct = _direct(seeded, 2025, "leiden")
    assert counts.total == direct["totaal"]["n"] == 30
    for table in ("categorie", "rol", "medium", "maand", "aangifte", "nazorg"):
        shown = {k: v for k, v in counts.tables[table].items() if v}
        assert shown == {k: v for k, v in direct[table].items() if v}, table
        assert sum(counts.tables[table].values()) == counts.total
    # and the seeded numbers themselves
    assert {k: v for k, v in counts.tables["categorie"].items() if v} == CATEGORY
    assert {k: v for k, v in counts.tables["rol"].items() if v} == ROLE
    assert {k: v for k, v in counts.tables["medium"].items() if v} == MEDIUM
    assert {int(k): v for k, v in counts.tables["maand"].items() if v} == MONTH
    assert counts.tables["aangifte"] == {"ja": POLICE, "nee": 30 - POLICE}
    assert counts.tables["nazorg"] == direct["nazorg"] == {"ja": AFTERCARE, "nee": 30 - AFTERCARE}
    assert set(counts.tables["rol"]) == set(store.TABLES["rol"])  # every cell present, zeros too
    assert store.count_year(seeded, 2025, "Leiden ").total == 30
    assert store.count_year(seeded, 2025, "nijmegen").total == 1
    assert store.count_year(seeded, 2024, "leiden").total == 1  # 31 December 23:30 in Amsterdam


def test_an_unknown_value_counts_as_unknown_never_as_text(session):
    report = _file(session, "odd", datetime(2025, 4, 1, 9, tzinfo=UTC), category="B")
    report.role, report.category = "Jansen, raadslid van de VVD", None
    session.flush()
    counts = store.count_year(session, 2025, "leiden")
    assert counts.tables["rol"][store.UNKNOWN] == 1 and counts.tables["categorie"][store.UNKNOWN] == 1
    assert all(set(cells) == set(store.TABLES[t]) for t, cells in counts.tables.items())


def test_the_anonymised_overview_hides_every_count_from_1_to_4(seeded):
    result = store.overview(seeded, 2025, "leiden")
    tables = {t.key: {c.key: c.shown for c in t.cells} for t in result.tables}
    assert result.total.shown == "30"
    assert tables["categorie"] == {"A": "12", "B": "9", "C": "×", "D": "< 5", "onbekend": "0"}
    assert tables["rol"]["burgemeester"] == tables["rol"]["fractievolger"] == "< 5"
    assert tables["rol"]["wethouder"] == "×" and tables["rol"]["raadslid"] == "20" and tables["rol"]["duolid"] == "0"
    assert tables["medium"]["email"] == "5" and tables["medium"]["face_to_face"] == "10"
    assert tables["maand"]["9"] == tables["maand"]["12"] == "< 5" and tables["maand"]["6"] == "×"
    assert tables["aangifte"] == {"ja": "6", "nee": "24"}
    for table in result.tables:
        for cell in table.cells:
            assert cell.value is None or cell.value == 0 or cell.value >= 5
            assert cell.shown not in ("1", "2", "3", "4")
    assert tables["nazorg"] == {"ja": "8", "nee": "22"}


def _table(cells: list[int]) -> tuple[dict[str, str], bool]:
    return store.suppress({str(i): v for i, v in enumerate(cells)}, sum(cells))


def test_a_lone_small_count_takes_the_smallest_other_count_with_it():
    shown, withheld = _table([12, 9, 6, 3, 0])
    assert not withheld and shown == {"0": "12", "1": "9", "2": "×", "3": "< 5", "4": "0"}
    assert _table([10, 10, 10]) == ({"0": "10", "1": "10", "2": "10"}, False)


@pytest.mark.parametrize("cells", [
    [1, 5, 5],  # "×" is at most 5 (the visible 5), so the "< 5" is 11 - 5 - 5 = 1
    [3, 1, 1, 0],  # every non-zero cell is small: nothing to hide them with
    [6, 2],  # two cells: N minus one gives the other
    [4, 4],
])
def test_a_split_that_cannot_be_made_safe_is_withheld(cells):
    assert _table(cells)[1] is True


def _compositions(total: int, parts: int):
    for cuts in itertools.combinations(range(total + parts - 1), parts - 1):
        bounds = (-1, *cuts, total + parts - 1)
        yield tuple(bounds[i + 1] - bounds[i] - 1 for i in range(parts))


@pytest.mark.parametrize(("parts", "largest_total"), [(2, 24), (3, 24), (4, 16), (5, 12)])
def test_a_reader_who_replays_the_rule_never_pins_a_small_count(parts, largest_total):
    """For every table of `parts` cells and every total N from 5: group the tables by what is shown (N is shown);
    within a group, each "< 5" cell must still have two or more possible values, and a withheld split must
    not pin any cell to a value from 1 to 4."""
    for total in range(store.THRESHOLD, largest_total + 1):
        groups: dict[tuple, list[tuple[int, ...]]] = {}
        for cells in _compositions(total, parts):
            shown, withheld = _table(list(cells))
            groups.setdefault(("withheld",) if withheld else tuple(shown[str(i)] for i in range(parts)), []).append(cells)
        for display, members in groups.items():
            for i in range(parts):
                values = {m[i] for m in members}
                if display == ("withheld",):
                    assert not (len(values) == 1 and 0 < min(values) < store.THRESHOLD), (total, i, members)
                elif display[i] == store.SMALL:
                    assert len(values) >= 2, (total, display, members)


def test_fewer_than_five_reports_show_no_split_and_none_shows_zeros(session):
    for i in range(3):
        _file(session, f"few-{i}", datetime(2025, 2, 1 + i, 9, tzinfo=UTC), category="D", role="burgemeester")
    few = store.overview(session, 2025, "leiden")
    assert few.total.shown == "< 5" and few.total.value is None
    assert all(t.withheld and all(c.shown == store.WITHHELD for c in t.cells) for t in few.tables)
    none = store.overview(session, 2023, "leiden")
    assert none.total.shown == "0" and all(c.shown == "0" for t in none.tables for c in t.cells)


def test_the_year_selector_runs_from_the_first_report_to_this_year(seeded):
    today = datetime(2026, 12, 4).date()
    assert store.years_with_reports(seeded, "leiden", today) == [2026, 2025, 2024]
    assert store.years_with_reports(seeded, "alkmaar", today) == [2026]
    assert store.years_with_reports(seeded, "leiden", today - timedelta(days=3 * 365))[0] == 2023


def test_nazorg_given_to_fewer_than_five_is_not_shown(session):
    filed = [_file(session, f"nazorg-{i}", datetime(2025, 3, 1 + i, 9, tzinfo=UTC)) for i in range(10)]
    for report in filed[:2]:
        _aftercare(session, report, True, sent=(aftercare.OFFER, 1))
    result = store.overview(session, 2025, "leiden")
    [nazorg] = [t for t in result.tables if t.key == "nazorg"]
    assert store.count_year(session, 2025, "leiden").tables["nazorg"] == {"ja": 2, "nee": 8}
    assert nazorg.withheld and {c.shown for c in nazorg.cells} == {store.WITHHELD} and result.total.shown == "10"
