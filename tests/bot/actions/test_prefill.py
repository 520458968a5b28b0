"""Pre-fill from the story (issue 13): Dutch dates, places, the person, the medium, witnesses, consequences."""

from datetime import datetime

import pytest

from actions.prefill import medium_in, parse_when, prefill
from actions.report_fields import medium_of

NOW = datetime(2026, 12, 4, 15, 0)  # a Friday


@pytest.mark.parametrize(
    "said, day, part",
    [
        ("gisteravond", "2026-12-03", "'s avonds"),
        ("Vorige week dinsdag", "2026-11-24", None),
        ("afgelopen zaterdag", "2026-11-28", None),
        ("dinsdagavond", "2026-12-01", "'s avonds"),
        ("eergisteren", "2026-12-02", None),
        ("drie dagen geleden", "2026-12-01", None),
        ("twee weken geleden", "2026-11-20", None),
        ("vanochtend", "2026-12-04", "'s ochtends"),
        ("12 maart", "2026-03-12", None),
        ("op 28-11 om 20.00 uur", "2026-11-28", None),
    ],
)
def test_dutch_dates_in_words(said, day, part):
    when = parse_when(said, NOW)
    assert when is not None and when.date.strftime("%Y-%m-%d") == day
    assert when.part == part
    assert not when.future


@pytest.mark.parametrize("said", ["morgen", "volgende week", "1 januari 2027"])
def test_a_date_in_the_future_is_seen_as_such(said):
    assert parse_when(said, NOW).future


def test_the_date_is_shown_with_the_words_used():
    assert parse_when("gisteravond om 21.30 uur", NOW).shown() == "gisteravond (donderdag 3 december 2026, 's avonds, 21.30 uur)"


@pytest.mark.parametrize(
    "typed, medium",
    [("via Facebook Messenger", "social_media"), ("hij belde me", "phone"), ("in de supermarkt", "face_to_face"),
     ("een appje", "message"), ("whatsap", "message"), ("facbook", "social_media"), ("telefonish", "phone"),
     ("een emial", "email"), ("per brief in de bus", "letter"), ("op X", "social_media"), ("onder mijn tweet", "social_media"),
     ("hij stond voor de deur", "face_to_face"), ("sms'je", "message"), ("face_to_face", "face_to_face"),
     ("appartement", None), ("fluitje", None), ("", None)],
)
def test_free_text_medium(typed, medium):
    assert medium_of(typed) == medium


def test_app_is_a_word_not_a_prefix():
    assert medium_in("bij mijn appartement") is None  # the old `\bapp` matched "appartement"


def test_a_story_that_holds_the_facts_fills_them():
    story = ("Gisteravond na de raadsvergadering op de parkeerplaats achter het gemeentehuis schreeuwde een man van "
             "ongeveer 50 met een rode jas dat hij weet waar ik woon. Mijn collega zag het. Ik slaap er slecht van. "
             "Het ging over het besluit over het azc.")
    found = prefill(story, NOW)
    assert found["report_when"].startswith("Gisteravond (donderdag 3 december 2026")
    assert found["report_where"] == "Op de parkeerplaats achter het gemeentehuis"
    assert found["report_who"] == "Een man van ongeveer 50 met een rode jas"
    assert found["report_medium"] == "face_to_face"
    assert found["report_how"].startswith("Schreeuwend")
    assert found["report_witnesses"] == "Mijn collega zag het"
    assert found["report_consequences"] == "Ik slaap er slecht van"
    assert "azc" in found["report_why"]


def test_quoted_words_are_not_facts_and_nothing_is_guessed():
    found = prefill("Ik kreeg een bericht: 'ik sta straks bij je voordeur in de raadszaal'", NOW)
    assert found["report_medium"] == "message"
    assert "report_who" not in found and "report_when" not in found
    assert not found.get("report_where", "").lower().startswith(("bij je", "in de raadszaal"))
    assert prefill("", NOW) == {} and prefill(None, NOW) == {}


def test_own_family_is_not_who_did_it():
    assert "report_who" not in prefill("Mijn man en kinderen waren thuis toen er iets gebeurde", NOW)
