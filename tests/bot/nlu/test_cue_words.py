"""The word lists of nlu/cue_words.py that session 26 added: verbs of killing, beating and arson in every Dutch form
(HARM_VERBS), the single threat and stalking rules that came with them, and chat spelling (nlu/spelling.py).
How a cue counts in its sentence (negation, a question, a joke, reported) is tested in test_cues.py."""

import pytest

from nlu import cues


def kinds(text):
    return [(c.kind, c.category) for c in cues.find_cues(text)]


# Issue 9: an explicit threat "worded with a verb form or word order the cue lists do not know". Verbs of killing,
# beating and arson in every form: joined, with "te", with an auxiliary, split with the particle at the end
# (nlu/cue_words.HARM_VERBS); each of these was found by no rule before.
@pytest.mark.parametrize(
    "text, words",
    [
        ("Vieze vuile kankerhond, ik zal je doodslaan!", "je doodslaan"),
        ("Hij zei dat hij me doodslaat als ik nog een keer kom.", "me doodslaat"),
        ("Ik schiet die wethouder nog eens dood.", "schiet die wethouder nog eens dood"),
        ("Ze riepen dat ze hem dood zouden trappen.", "hem dood zouden trappen"),
        ("Ik ga de burgemeester doodschieten.", "de burgemeester doodschieten"),
        ("Binnen vijf minuten iets doen of ik steek het in brand.", "steek het in brand"),
        ("Trap dat wijf neer!", "Trap dat wijf neer"),
        ("Ik tuig je helemaal af.", "tuig je helemaal af"),
        ("We rammen je in elkaar.", "rammen je in elkaar"),
        ("Ik ga de wethouder zo verwonden dat ze nooit meer loopt.", "de wethouder zo verwonden"),
    ],
)
def test_threats_in_other_verb_forms_and_word_orders_are_firm_d(text, words):
    found = [c for c in cues.find_cues(text) if c.category == "D"]
    assert [(c.text, c.kind, c.firm) for c in found] == [(words, "bedreiging", True)]


@pytest.mark.parametrize(
    "text",
    [
        "Ik blaas dit gebouw op om half vier.",
        "Je moet zwijgen of ik sla op je muil.",
        "Er gaan binnenkort wel wat mensen langs bij je moeder.",
        "'Zoek maar dekking', stond er onder mijn post.",
    ],
)
def test_veiled_and_announced_threats_in_everyday_words_are_d(text):
    assert ("bedreiging", "D") in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        # plans, time and hands, not people (found in review)
        "De oppositie schoot het plan neer.",
        "Hij schoot ons plan neer.",
        "Ik sla je voorstel neer.",
        "Hij sloeg zijn ogen neer toen ik het vroeg.",
        "Ik sla de tijd dood met vergaderen.",
        "Die parkeerregels slaan de binnenstad dood.",
        "Je kunt een discussie niet doodslaan.",
        "We moeten de handen in elkaar slaan.",
        "De stikstofregels zijn een regelrechte doodsteek voor de veehouder.",
        "Ze slachtten me af op Twitter na mijn motie.",
        # animals
        "De burgemeester liet de wolf doodschieten, nu krijg ik boze mails.",
        "Van de buren is al een kat doodgereden, ik durf mijn kinderen niet meer te laten fietsen.",
        # a wish of harm is C by the label rules, whatever the verb form
        "Ik hoop dat je wordt doodgeschoten.",
        "Ik hoop dat iemand je doodschiet.",
        "Ik hoop dat ze je in elkaar slaan.",
        # everyday words the single rules must leave alone
        "Zoek een dekking voor dit amendement.",
        "Ik ga morgen even langs bij je moeder.",
        "De wind slaat in je gezicht op de markt.",
        "Hij stak het vuurwerk af.",
        "Ik lach me dood om die motie.",
        "We gaan de problemen in de wijk aanpakken.",
    ],
)
def test_the_same_verbs_said_of_plans_animals_or_as_a_wish_are_no_threat(text):
    assert cues.heaviest(cues.find_cues(text)) != "D", cues.find_cues(text)


def test_an_assault_told_with_these_verbs_keeps_its_physical_subkind():
    assert cues.d_subkind(cues.find_cues("Hij sloeg mij gisteren in elkaar.")) == "fysiek_geweld"


def test_chat_spelling_of_the_possessive_is_read_as_written_out():
    assert ("stalking", "D") in kinds("op facebook schrijft ze over mij en dan staat ze weer voor mn huis")


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Ze wachten me op en sturen mensen op me af.", "stalking"),
        ("Hij rijdt steeds door mijn straat, al weken.", "stalking"),
        ("Een raadslid stuurt al maanden berichtjes, ook nadat ik hem overal heb geblokkeerd.", "stalking"),
        ("'laffe rat, in ons dorp staat je huis toch?' stond in de DM.", "bedreiging"),
    ],
)
def test_stalking_and_a_named_home_in_everyday_words(text, kind):
    assert (kind, "D") in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "We lopen vaak door onze wijk met de wethouder.",
        "Het vrachtverkeer rijdt dagelijks door onze wijk.",
        "Ik wacht op de bus.",
        "Hier staat je huis echt mooi op de foto.",
        "Ik belde de helpdesk nadat mijn pas geblokkeerd was.",
        "De gemeente stuurt een ambtenaar op me af.",
    ],
)
def test_walking_waiting_and_a_house_in_a_photo_are_no_stalking(text):
    assert cues.heaviest(cues.find_cues(text)) != "D", cues.find_cues(text)
