"""store/reports.py, filing: idempotent submit, unique references, reads per contact; rolled back per test.
A report after filing: test_lifecycle.py."""

from sqlalchemy import func, select

from actions.report_fields import ReportDraft
from actions.store import reports
from actions.store.models import Report
from actions.store.reports import new_reference


def draft(draft_id="d1", contact_function="griffier"):
    return ReportDraft(
        draft_id=draft_id, conversation_id="c1", municipality="Leiden", municipality_key="leiden", role="raadslid",
        category="C", subkind=None, reporting="optional", acute=False, online=False, contact_function=contact_function,
        answers={"what": "verhaal", "who": "onbekend"},
    )


def test_reference_format():
    reference = new_reference()
    assert reference.startswith("MLD-") and len(reference) == 19
    assert not set(reference[-6:]) & set("01OI")


def test_submit_is_idempotent_per_draft(session):
    first, created = reports.submit_report(session, draft())
    again, created_again = reports.submit_report(session, draft())
    assert created and not created_again
    assert first.reference == again.reference
    assert session.scalar(select(func.count()).select_from(Report)) == 1


def test_each_contact_reads_only_their_reports(session):
    reports.submit_report(session, draft("a", "griffier"))
    reports.submit_report(session, draft("b", "gemeentesecretaris"))
    assert [r.draft_id for r in reports.reports_readable_by(session, "leiden:griffier")] == ["a"]


def test_database_is_rolled_back_between_tests(session):
    assert session.scalar(select(func.count()).select_from(Report)) == 0
