"""The conversation suite's scripts (tests/dialogue/*.yml) are complete, and the driver answers what is asked."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import dialogue_eval  # noqa: E402

from actions.report_fields import MEDIA  # noqa: E402

CONVERSATIONS = dialogue_eval.load(sorted((ROOT / "tests" / "dialogue").glob("*.yml")))


def test_at_least_thirty_conversations_each_complete():
    assert len(CONVERSATIONS) >= 30
    assert len({c["id"] for c in CONVERSATIONS}) == len(CONVERSATIONS)
    for c in CONVERSATIONS:
        assert c["story"].strip() and c["role"] and c["municipality"], c["id"]
        assert c["medium"] in MEDIA, c["id"]
        assert set(c.get("in_story") or []) <= dialogue_eval.ALL_FACTS, c["id"]
        assert set(c["answers"]) >= set(dialogue_eval.FIELDS), c["id"]  # an answer for whatever is asked
    # Varied: short and long stories, several that hold every fact, invalid answers and free-text media.
    lengths = sorted(len(c["story"].split()) for c in CONVERSATIONS)
    assert lengths[0] <= 10 and lengths[-1] >= 60
    assert sum(set(c.get("in_story") or []) >= dialogue_eval.ALL_FACTS for c in CONVERSATIONS) >= 3
    assert sum(len(v) for c in CONVERSATIONS for v in (c.get("invalid") or {}).values()) >= 8
    assert sum("medium" not in (c.get("in_story") or []) for c in CONVERSATIONS) >= 5


def test_the_driver_answers_what_the_bot_asks():
    c = next(c for c in CONVERSATIONS if c["id"] == "gebeld_thuis")
    ask = dialogue_eval.reply_for
    assert ask(c, {"loop": "routing_form", "slots": {"requested_slot": "role"}}) == ("burgemeester", None)
    assert ask(c, {"loop": "routing_form", "slots": {"requested_slot": "municipality"}}) == ("Alkmaar", None)
    assert ask(c, {"loop": "report_form", "slots": {"requested_slot": "report_wanted"}}) == ("/affirm", None)
    assert ask(c, {"loop": "report_form", "slots": {"requested_slot": "report_how"}}) == ("rustig maar dreigend", "how")
    assert ask(c, {"loop": None, "slots": {"report_status": "confirming", "category": "D"}}) == ("ja", None)
    # the doubt question, in the triage and in the report form after a story typed there
    for loop in ("triage_form", "report_form"):
        assert ask(c, {"loop": loop, "slots": {"requested_slot": "triage_check"}}) == (c["triage"]["check"], None)


def test_a_first_route_is_answered_then_changed_at_the_summary():
    c = next(c for c in CONVERSATIONS if c.get("first_route"))
    ask = dialogue_eval.reply_for
    first = {"loop": "routing_form", "slots": {"requested_slot": "municipality"}}
    assert ask(c, first, route_changed=False) == (c["first_route"]["municipality"], None)
    confirming = {"loop": None, "slots": {"report_status": "confirming", "category": "D"}}
    assert ask(c, confirming, route_changed=False) == ("/change", None)  # "Aanpassen"
    assert ask(c, {"loop": "change_form", "slots": {"requested_slot": "change_field"}}, False) == ("rol en gemeente", None)
    again = {"loop": "report_form", "slots": {"requested_slot": "role"}}
    assert ask(c, again, route_changed=True) == (c["role"], None) and c["role"] != c["first_route"]["role"]
    assert ask(c, confirming, route_changed=True) == ("ja", None)


def test_expected_prefills_name_known_fields_and_cover_the_review_stories():
    known = {*dialogue_eval.FIELDS, "witnesses", "consequences"}
    for c in CONVERSATIONS:
        assert set(c.get("expected") or {}) <= known, c["id"]
    assert sum(c["id"].startswith("review_") for c in CONVERSATIONS) >= 8
    assert sum(len(c.get("expected") or {}) for c in CONVERSATIONS) >= 40


def test_a_wrong_or_unwanted_prefill_is_counted():
    c = {"expected": {"where": "op de markt", "medium": "face_to_face", "who": None, "when": "gisteren"}}
    right = {"report_where": "Op de markt", "report_medium": "face_to_face", "report_when": "gisteren (donderdag)",
             "report_prefilled": ["report_where", "report_medium", "report_when"]}
    assert dialogue_eval.wrong_prefills(c, right) == []
    wrong = {"report_where": "Niet ter plekke: via telefoon", "report_medium": "phone", "report_who": "Een raadslid",
             "report_when": "gisteren", "report_prefilled": ["report_where", "report_medium", "report_who"]}
    # when was typed by the user, not pre-filled: that counts as missing the expected pre-fill too
    assert dialogue_eval.wrong_prefills(c, wrong) == ["where", "medium", "who", "when"]
    # a field the user typed (not in report_prefilled) is not a pre-fill of the story
    assert dialogue_eval.wrong_prefills({"expected": {"who": None}}, {"report_who": "een man", "report_prefilled": []}) == []
