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


# --- review of issue 13 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "story, where, medium",
    [
        # "aangesproken" is a Dutch word, not a typo of "ingesproken" (voicemail): the place stays.
        ("Ik ben aangesproken op de markt door een boze man", "Op de markt", "face_to_face"),
        # "belde aan": at the door, not on the phone.
        ("Hij belde aan en stond met een mes voor de deur", "Voor de deur", "face_to_face"),
        # A house number is no phone number.
        ("Hij stond voor ons huis op nummer 14 te schreeuwen", "Voor ons huis op nummer 14", "face_to_face"),
    ],
)
def test_ordinary_words_are_not_a_phone_and_an_in_person_place_stays(story, where, medium):
    found = prefill(story, NOW)
    assert found["report_where"] == where
    assert found["report_medium"] == medium


def test_gesproken_is_never_corrected():
    assert medium_in("we hebben gesproken op het stadhuis") == "face_to_face"
    assert medium_in("hij heeft me aangesproken") is None


def test_phone_and_an_in_person_act_at_a_place_keeps_the_place():
    found = prefill("Hij belde me eerst en stond daarna bij mijn voordeur", NOW)
    assert found["report_where"] == "Bij mijn voordeur"  # not "Niet ter plekke: via telefoon"
    assert found["report_medium"] == "face_to_face"  # he was there


@pytest.mark.parametrize(
    "said, day, future",
    [
        ("dinsdag 24 november", "2026-11-24", False),  # the date, not the dinsdag of this week
        ("maandag 7 december", "2026-12-07", True),
        ("op 20 december", "2026-12-20", True),  # this year: in the future, not last year
        ("23-12", "2026-12-23", True),
        ("23 december 2025", "2025-12-23", False),
    ],
)
def test_an_absolute_date_wins_and_is_read_in_the_current_period(said, day, future):
    when = parse_when(said, NOW)
    assert when.date.strftime("%Y-%m-%d") == day
    assert when.future is future


def test_a_date_without_year_far_ahead_means_last_year():
    assert parse_when("23 december", datetime(2027, 1, 10)).date.strftime("%Y-%m-%d") == "2026-12-23"


def test_a_planned_demo_in_the_future_is_not_prefilled():
    found = prefill("Op 23 december komt er een demonstratie bij het stadhuis tegen mij", NOW)
    assert "report_when" not in found


@pytest.mark.parametrize("said", ["vorige maand", "vorige week", "al 3 weken", "twee maanden geleden"])
def test_a_vague_period_is_shown_in_the_words_used(said):
    when = parse_when(said, NOW)
    assert when.shown() == said
    assert not when.future


@pytest.mark.parametrize("said", ["net", "zojuist", "nu", "daarnet", "zonet"])
def test_just_now_is_today(said):
    when = parse_when(said, NOW)
    assert when.date.date() == NOW.date() and not when.future


def test_reported_speech_does_not_fill_when_or_where():
    found = prefill("Hij zei dat hij me zaterdag in de raadszaal zou opwachten. Dat stuurde hij me gisteren via Messenger.", NOW)
    assert found["report_when"].startswith("gisteren (donderdag 3 december")
    assert found["report_medium"] == "social_media"
    assert found["report_where"] == "Online, op Facebook Messenger"


def test_words_after_a_colon_do_not_fill_where():
    found = prefill("Hij riep: ik weet waar je kinderen op school zitten. Dat was in de raadszaal.", NOW)
    assert found["report_where"] == "In de raadszaal"


def test_an_age_in_words_belongs_to_the_person():
    found = prefill("Een man van een jaar of veertig met een pet schold me uit op de markt", NOW)
    assert found["report_who"] == "Een man van een jaar of veertig met een pet"


def test_a_person_in_the_news_is_not_the_offender_and_dreigmails_are_email():
    found = prefill("In de krant stond dat een raadslid in Zwolle was bedreigd, nu krijg ik zelf ook dreigmails", NOW)
    assert "report_who" not in found
    assert found["report_medium"] == "email"


def test_reading_on_a_platform_is_not_news():
    assert prefill("Ik las op Facebook een reactie van een man over mij", NOW)["report_medium"] == "social_media"


@pytest.mark.parametrize(
    "answer, key",
    [("in de trein", "face_to_face"), ("in de bus", "face_to_face"), ("op het werk", "face_to_face"),
     ("bij de Jumbo", "face_to_face"), ("tijdens een debat", "face_to_face"), ("in de gemeenteraad", "face_to_face"),
     ("facebook-bericht", "social_media"), ("een duif", None)],
)
def test_a_place_answer_to_the_medium_question_is_in_person(answer, key):
    assert medium_of(answer) == key


def test_consequences_without_the_act_and_why_ends_before_what_was_said():
    found = prefill("Hij heeft mijn fiets vernield en ik ben bang. Hij appte omdat ik voor het azc stemde, dat ik dood moest.", NOW)
    assert found["report_consequences"] == "Ik ben bang"
    assert found["report_why"] == "Omdat ik voor het azc stemde"


@pytest.mark.parametrize(
    "story, slot, value",
    [
        ("Vanochtend lag er een brief in mijn brievenbus zonder afzender. Er staat in dat mijn huis in brand gaat.",
         "report_who", "Zonder afzender"),
        ("Vanochtend lag er een brief in mijn brievenbus zonder afzender. Er staat in dat mijn huis in brand gaat.",
         "report_with_what", "Met woorden"),  # the fire is in the letter, not what was done
        ("telefonisch bedreigd door een inwoner die zijn vergunning niet kreeg", "report_why", "Zijn vergunning niet kreeg"),
        ("Weer bedreigd. Ze willen me kapot maken zeggen ze.", "report_consequences", None),
        ("Een man sloeg met een stok op mijn auto. Ik ben nog steeds erg geschrokken.", "report_how", None),
    ],
)
def test_what_the_suite_found_wrong(story, slot, value):
    assert prefill(story, NOW).get(slot) == value


def test_stond_op_facebook_is_not_in_person():
    found = prefill("Volgende week komt er een demonstratie tegen mij bij het stadhuis, dat stond op Facebook.", NOW)
    assert found["report_medium"] == "social_media"
    assert "report_when" not in found
