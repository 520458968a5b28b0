"""The report repository: idempotent submit, unique references, reads per contact; rolled back per test."""

from sqlalchemy import func, select

from actions.store.models import Municipality, Report
from actions.store.repository import ProtocolRepository, ReportRepository, new_reference


def draft(draft_id="d1", readable_by="leiden:griffier"):
    return {
        "draft_id": draft_id,
        "conversation_id": "c1",
        "municipality": "Leiden",
        "municipality_key": "leiden",
        "role": "raadslid",
        "category": "C",
        "readable_by": readable_by,
        "what": "verhaal",
        "who": "onbekend",
    }


def test_reference_format():
    reference = new_reference()
    assert reference.startswith("MLD-") and len(reference) == 19
    assert not set(reference[-6:]) & set("01OI")


def test_submit_is_idempotent_per_draft(session):
    repo = ReportRepository(session)
    first, created = repo.submit(draft())
    again, created_again = repo.submit(draft())
    assert created and not created_again
    assert first.reference == again.reference
    assert session.scalar(select(func.count()).select_from(Report)) == 1


def test_each_contact_reads_only_their_reports(session):
    repo = ReportRepository(session)
    repo.submit(draft("a", "leiden:griffier"))
    repo.submit(draft("b", "leiden:gemeentesecretaris"))
    assert [r.draft_id for r in repo.readable_by("leiden:griffier")] == ["a"]


def test_database_is_rolled_back_between_tests(session):
    assert session.scalar(select(func.count()).select_from(Report)) == 0


def test_protocol_repository_reads_the_loaded_files(session):
    repo = ProtocolRepository(session)
    assert repo.get("leiden").name == "Leiden"
    assert repo.route("leiden", "wethouder").contact == "gemeentesecretaris"
    assert repo.advice("leiden", "C").reporting == "on_continue"
    assert session.scalar(select(func.count()).select_from(Municipality)) == 6


def test_a_griffie_sees_only_its_own_handoffs_and_one_open_per_conversation(session):
    from actions.store.repository import HandoffRepository

    repo = HandoffRepository(session)
    leiden, created = repo.start(conversation_id="c1", channel="socketio", municipality_key="leiden", role="raadslid")
    again, created_again = repo.start(conversation_id="c1", channel="socketio", municipality_key="leiden")
    repo.start(conversation_id="c2", channel="telegram", municipality_key="nijmegen")
    assert created and not created_again and again.id == leiden.id
    assert [h.conversation_id for h in repo.for_municipality("leiden")] == ["c1"]
    assert repo.get("nijmegen", leiden.id) is None  # another griffie cannot open it by id
    assert not repo.close("nijmegen", leiden.id, "griffie-nijmegen")  # not theirs
    assert repo.close("leiden", leiden.id, "griffie-leiden")
    assert not repo.close("leiden", leiden.id, "griffie-leiden")  # a second click closes nothing
    assert repo.open_for_conversation("c1") is None
    assert repo.start(conversation_id="c1", channel="socketio", municipality_key="leiden")[1]  # a new one after closing
