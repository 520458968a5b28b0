"""End to end: the Rasa server and the action server, a whole Dutch conversation over REST,
and the report row in the database. Needs a trained model (make e2e trains one)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

import servers

pytestmark = pytest.mark.e2e

STORY = "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont"


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    if not servers.MODEL.exists():
        pytest.fail("no trained model: run 'make train' first")
    with servers.running(tmp_path_factory.mktemp("e2e")) as running:
        yield running


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def test_whole_conversation_files_one_report(bot):
    sender = "e2e-markt"
    first = bot.say(sender, STORY)
    said = texts(first)
    assert "D-gedrag" in said
    assert "U schrijft 'ik weet waar je woont': dat is een bedreiging." in said
    assert "Melden is verplicht" in said
    assert '/inform{"role":"raadslid"}' in payloads(first)

    assert "In welke gemeente" in texts(bot.say(sender, '/inform{"role":"raadslid"}'))
    routed = texts(bot.say(sender, "Leiden"))
    assert "meldt u dit bij de griffier" in routed
    assert "Zal ik een melding voor de griffier klaarzetten?" in routed

    answers = [
        ("ja", "Wie deed het?"),
        ("Een man van ongeveer 50 met een rode jas", "Wanneer gebeurde het?"),
        ("gisteren rond 11 uur", "Waar gebeurde het?"),
        ("op de weekmarkt", "Hoe gebeurde het?"),
        ("face_to_face", "Waarmee gebeurde het?"),
        ("alleen woorden", "Op welke wijze"),
        ("schreeuwend, voor iedereen", "Waarom denkt u"),
    ]
    for answer, next_question in answers:
        assert next_question in texts(bot.say(sender, answer)), answer

    summary = bot.say(sender, "het besluit over de markt")
    assert "Wat: " + STORY in texts(summary)
    assert "Klopt dit? Zal ik de melding indienen?" in texts(summary)
    assert payloads(summary) == ["/affirm", "/change", "/deny"]

    engine = create_engine(bot.database_url)
    with engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM reports")).scalar_one() == 0  # nothing before "ja"

    filed = texts(bot.say(sender, "/affirm"))
    assert "Uw melding is ingediend" in filed
    again = texts(bot.say(sender, "ja"))
    assert "al ingediend" in again

    with engine.connect() as db:
        rows = db.execute(text("SELECT reference, conversation_id, category, readable_by, what FROM reports")).all()
    assert len(rows) == 1
    reference, conversation, category, readable_by, encrypted_what = rows[0]
    assert reference in filed and reference in again
    assert (conversation, category, readable_by) == (sender, "D", "leiden:griffier")
    assert "landverrader" not in encrypted_what  # encrypted at rest

    # Nothing of the story is written to the logs.
    for log in bot.logs:
        assert "landverrader" not in log.read_text(), log


def test_acute_danger_first_then_triage(bot):
    messages = bot.say("e2e-acuut", "Help, hij staat nu voor mijn deur en schreeuwt dat hij me gaat pakken")
    assert "112" in messages[0]["text"]
    assert "D-gedrag" in texts(messages[1:])


def test_greeting_is_not_an_incident_and_asks_for_the_story(bot):
    said = texts(bot.say("e2e-groet", "Goedemorgen"))
    assert "Vertel in uw eigen woorden" in said
    assert "gedrag" not in said.split("Vertel")[0]


@pytest.mark.parametrize("message", ["", "😡😡😡", "asdfghjkl qwerty", "x" * 10_000, "Wat voor weer wordt het morgen?"])
def test_bad_input_gets_a_clear_dutch_answer(bot, message):
    messages = bot.say(f"e2e-raar-{len(message)}-{message[:3]}", message)
    said = texts(messages)
    assert said.strip(), "every message gets an answer"
    assert any(word in said for word in ("Vertel", "begrijp", "helpen", "gelezen", "niet")), said


def test_stop_in_the_middle_files_nothing(bot):
    sender = "e2e-stop"
    bot.say(sender, "Een inwoner schold me uit voor oplichter op Facebook")
    said = texts(bot.say(sender, "stop"))
    assert "Er is niets ingediend" in said
    engine = create_engine(bot.database_url)
    with engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM reports WHERE conversation_id = :c"), {"c": sender}).scalar_one() == 0
