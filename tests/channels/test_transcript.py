"""channels.transcript: the one reader of a conversation for the widget's history and the griffie page."""

from channels.transcript import Turn, turns

BUTTONS = [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]


def test_what_people_saw_in_order_without_internals():
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": 1},
        {"event": "user", "text": "hallo", "timestamp": 2, "metadata": {"widget_message_id": "abcd1234"}},
        {"event": "slot", "name": "category", "value": "D"},
        {"event": "bot", "text": "Klopt dit?", "data": {"buttons": BUTTONS}, "timestamp": 3},
        {"event": "user", "text": "/affirm", "timestamp": 4},
        {"event": "user", "text": "EXTERNAL: griffie_resumed", "timestamp": 5},
        {"event": "bot", "data": {"image": "x.png"}, "timestamp": 6},
        {"event": "pause", "timestamp": 7},
        {"event": "bot", "text": "Hier de griffie.", "metadata": {"from": "griffie"}, "timestamp": 8},
        {"event": "resume", "timestamp": 9},
    ]
    assert turns(events) == [
        Turn("user", "hallo", timestamp=2, metadata={"widget_message_id": "abcd1234"}),
        Turn("bot", "Klopt dit?", BUTTONS, 3),
        Turn("user", "Ja", timestamp=4),  # the pressed button's title, not its payload
        Turn("pause", timestamp=7),
        Turn("bot", "Hier de griffie.", timestamp=8, metadata={"from": "griffie"}),
        Turn("resume", timestamp=9),
    ]


def test_quick_replies_count_as_buttons_and_odd_buttons_are_dropped():
    events = [{"event": "bot", "text": "Kies", "data": {"quick_replies": [{"title": "A", "payload": "a"}, {"title": 1}]}},
              {"event": "user", "text": "a"}]
    assert [t.text for t in turns(events)] == ["Kies", "A"]
