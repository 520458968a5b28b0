"""End to end: the Rasa server and the action server, a whole Dutch conversation over REST,
and the report row in the database. Needs a trained model (make e2e trains one)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.e2e

STORY = "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont"


# The two answers for a message the bot cannot use: "not understood" and "not what I do".
UNCLEAR = ("Dat begrijp ik niet goed", "Daar kan ik u niet mee helpen")


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
    assert '/inform{"role":"raadslid"}' in payloads(first)

    assert "In welke gemeente" in texts(bot.say(sender, '/inform{"role":"raadslid"}'))
    routed = bot.say(sender, "Leiden")
    assert "(protocol Leiden, Hoofdstuk 4" in texts(routed)  # the advice comes from the user's own protocol
    assert "Melden is verplicht" in texts(routed)
    assert "Wilt u het melden bij de griffier?" in texts(routed)
    assert len(routed) <= 2  # issue 13: one short advice message and the offer, the rest on request
    assert {"/affirm", "/ask_advice", "/request_contact", "/request_human"} <= set(payloads(routed))
    assert "meldt u dit bij de griffier" in texts(bot.say(sender, "/request_contact"))

    answers = [
        ("ja", "Wanneer was het?"),  # the story told who, where and how: only what is missing is asked
        ("morgen", "Die dag ligt in de toekomst"),
        ("gisteren rond 11 uur", "Waarom gebeurde het"),
    ]
    for answer, next_question in answers:
        assert next_question in texts(bot.say(sender, answer)), answer

    summary = bot.say(sender, "het besluit over de markt")
    assert "Wat: " + STORY in texts(summary)
    assert "Waar: Op de markt (uit uw verhaal)" in texts(summary)
    assert "Klopt dit? Zal ik de melding indienen?" in texts(summary)
    assert payloads(summary) == ["/affirm", "/change", "/deny"]

    engine = create_engine(bot.database_url)
    with engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM reports")).scalar_one() == 0  # nothing before "ja"

    # not understood at the summary: the buttons are asked for and the summary comes again (nothing filed or lost)
    unclear = bot.say(sender, "😡😡😡")
    assert "Kies een knop" in texts(unclear) and "Wat: " + STORY in texts(unclear)
    assert payloads(unclear) == ["/affirm", "/change", "/deny"]

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

    # Nothing of the story or the answers is written to the logs.
    for log in bot.logs:
        logged = log.read_text()
        for words in ("landverrader", "ik weet waar je woont", "rode jas", "weekmarkt", "besluit over de markt"):
            assert words not in logged, (log, words)


def test_acute_danger_first_then_triage(bot):
    messages = bot.say("e2e-acuut", "Help, hij staat nu voor mijn deur en schreeuwt dat hij me gaat pakken")
    assert "112" in messages[0]["text"]
    assert "D-gedrag" in texts(messages[1:])


def test_greeting_is_not_an_incident_and_asks_for_the_story(bot):
    said = texts(bot.say("e2e-groet", "Goedemorgen"))
    assert "Vertel in uw eigen woorden" in said
    assert "gedrag" not in said.split("Vertel")[0]


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", UNCLEAR),
        ("😡😡😡", UNCLEAR),
        ("asdfghjkl qwerty", UNCLEAR),
        ("Wat voor weer wordt het morgen?", UNCLEAR),
        ("Een inwoner schold me uit op de markt. " * 260, ("erg lang",)),  # about 10,000 characters
    ],
)
def test_bad_input_gets_a_clear_dutch_answer(bot, message, expected):
    said = texts(bot.say(f"e2e-raar-{len(message)}-{message[:3]}", message))
    assert any(e in said for e in expected), said
    if expected is UNCLEAR:
        assert "gedrag" not in said  # nonsense is not triaged


def test_stop_at_the_summary_files_nothing_even_after_a_later_yes(bot):
    sender = "e2e-stop"
    bot.say(sender, STORY)
    bot.say(sender, '/inform{"role":"wethouder"}')
    bot.say(sender, "Alkmaar")
    for answer in ["ja", "vanochtend", "weet ik niet"]:
        bot.say(sender, answer)
    assert "Er is niets ingediend" in texts(bot.say(sender, "stop"))
    bot.say(sender, "ja")
    engine = create_engine(bot.database_url)
    with engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM reports WHERE conversation_id = :c"), {"c": sender}).scalar_one() == 0
