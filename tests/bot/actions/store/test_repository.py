"""The report repository: idempotent submit, unique references, reads per contact; rolled back per test."""

from sqlalchemy import func, select

from actions.report_fields import ReportDraft
from actions.store import repository
from actions.store.models import Municipality, Report
from actions.store.repository import new_reference


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
    first, created = repository.submit_report(session, draft())
    again, created_again = repository.submit_report(session, draft())
    assert created and not created_again
    assert first.reference == again.reference
    assert session.scalar(select(func.count()).select_from(Report)) == 1


def test_each_contact_reads_only_their_reports(session):
    repository.submit_report(session, draft("a", "griffier"))
    repository.submit_report(session, draft("b", "gemeentesecretaris"))
    assert [r.draft_id for r in repository.reports_readable_by(session, "leiden:griffier")] == ["a"]


def test_database_is_rolled_back_between_tests(session):
    assert session.scalar(select(func.count()).select_from(Report)) == 0


def test_the_protocol_object_reads_the_loaded_files(session):
    leiden = repository.protocol(session, "leiden")
    assert leiden.name == "Leiden" and leiden.loaded
    assert leiden.route("wethouder").contact == "gemeentesecretaris"
    assert leiden.advice("C").reporting == "on_continue"
    assert leiden.advice("D", "vernieling") == leiden.advice_rules["D_fysiek"]
    assert not repository.protocol(session, "_model").loaded
    assert repository.protocol(session, "utrecht") is None
    assert session.scalar(select(func.count()).select_from(Municipality)) == 6


def test_a_griffie_sees_only_its_own_handoffs_and_one_open_per_conversation(session):
    from actions.store.repository import HandoffRepository

    repo = HandoffRepository(session)
    leiden, created = repository.start_handoff(session, conversation_id="c1", channel="socketio", municipality_key="leiden", role="raadslid")
    again, created_again = repository.start_handoff(session, conversation_id="c1", channel="socketio", municipality_key="leiden")
    repository.start_handoff(session, conversation_id="c2", channel="telegram", municipality_key="nijmegen")
    assert created and not created_again and again.id == leiden.id
    assert [h.conversation_id for h in repo.for_municipality("leiden")] == ["c1"]
    assert repo.get("nijmegen", leiden.id) is None  # another griffie cannot open it by id
    assert not repo.close("nijmegen", leiden.id, "griffie-nijmegen")  # not theirs
    assert repo.close("leiden", leiden.id, "griffie-leiden")
    assert not repo.close("leiden", leiden.id, "griffie-leiden")  # a second click closes nothing
    assert repository.open_handoff(session, "c1") is None
    assert repository.start_handoff(session, conversation_id="c1", channel="socketio", municipality_key="leiden")[1]  # a new one after closing
