"""store/handoffs.py: one open handoff per conversation; a griffie sees only its own (HandoffRepository)."""

from actions.store import handoffs


def test_a_griffie_sees_only_its_own_handoffs_and_one_open_per_conversation(session):
    from actions.store.handoffs import HandoffRepository

    repo = HandoffRepository(session)
    leiden, created = handoffs.start_handoff(session, conversation_id="c1", channel="socketio", municipality_key="leiden", role="raadslid")
    again, created_again = handoffs.start_handoff(session, conversation_id="c1", channel="socketio", municipality_key="leiden")
    handoffs.start_handoff(session, conversation_id="c2", channel="telegram", municipality_key="nijmegen")
    assert created and not created_again and again.id == leiden.id
    assert [h.conversation_id for h in repo.for_municipality("leiden")] == ["c1"]
    assert repo.get("nijmegen", leiden.id) is None  # another griffie cannot open it by id
    assert not repo.close("nijmegen", leiden.id, "griffie-nijmegen")  # not theirs
    assert repo.close("leiden", leiden.id, "griffie-leiden")
    assert not repo.close("leiden", leiden.id, "griffie-leiden")  # a second click closes nothing
    assert handoffs.open_handoff(session, "c1") is None
    assert handoffs.start_handoff(session, conversation_id="c1", channel="socketio", municipality_key="leiden")[1]  # a new one after closing
