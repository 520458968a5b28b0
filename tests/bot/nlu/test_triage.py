"""The ABCD decision: model ranking + cue rules, heaviest counts, doubt, acute."""

import pytest

from nlu import triage


def ranking(**probs):
    return sorted(probs.items(), key=lambda kv: -kv[1])


def test_model_label_when_confident_and_no_cues():
    result = triage.decide("Hij was boos over zijn eigen aanvraag", ranking(incident_a=0.9, incident_b=0.05, greet=0.05))
    assert result["label"] == "A"
    assert result["doubt"] is None
    assert result["confidence"] == 0.9


def test_d_cue_raises_a_lower_model_label():
    result = triage.decide("Ik weet waar je woont, zei hij over het besluit", ranking(incident_b=0.8, incident_a=0.2))
    assert result["label"] == "D"
    assert result["subkind"] == "bedreiging"
    assert result["confidence"] == triage.CUE_CONFIDENCE
    assert triage.intent_for(result, "incident_b") == "incident_d"


def test_cue_never_lowers_the_model_label():
    result = triage.decide("Je bent een sukkel", ranking(incident_d=0.9, incident_c=0.1))
    assert result["label"] == "D"


def test_doubt_between_two_close_categories():
    result = triage.decide("Het was vervelend", ranking(incident_b=0.5, incident_c=0.4, greet=0.1))
    assert result["label"] == "B"
    assert result["doubt"] == ["B", "C"]


def test_a_likely_threat_counts_as_d_and_is_asked_to_confirm():
    result = triage.decide("Hij keek me aan", ranking(incident_c=0.7, incident_d=0.25, greet=0.05))
    assert result["label"] == "D"
    assert result["doubt"] == ["C", "D"]
    assert triage.intent_for(result, "incident_c") == "incident_d"


@pytest.mark.parametrize(
    ("probs", "label"),
    [
        # read as C: the low threshold for C makes it D
        ({"incident_c": 0.8, "incident_d": 0.15, "greet": 0.05}, "D"),
        # read as A or B with the same D probability: under their own threshold it stays
        ({"incident_a": 0.8, "incident_d": 0.15, "greet": 0.05}, "A"),
        ({"incident_b": 0.8, "incident_d": 0.15, "greet": 0.05}, "B"),
        # at or above their threshold it is D as well
        ({"incident_b": 0.65, "incident_d": 0.3, "greet": 0.05}, "D"),
    ],
)
def test_a_b_message_has_its_own_d_threshold(probs, label):
    config = {"d_threshold": 0.1, "d_threshold_ab": 0.3}
    result = triage.decide("Het ging over het besluit", ranking(**probs), config)
    assert result["label"] == label
    if label == "D":
        assert result["doubt"][1] == "D"


def test_a_message_a_c_cue_raises_to_c_gets_the_c_threshold():
    # the model reads A; the insult is a C cue, so the label is C and C's lower D threshold counts
    config = {"d_threshold": 0.07, "d_threshold_ab": 0.15}
    result = triage.decide("Je bent een leugenaar", ranking(incident_a=0.85, incident_d=0.1, greet=0.05), config)
    assert result["label"] == "D"
    assert result["doubt"] == ["C", "D"]


@pytest.mark.parametrize(
    ("text", "probs", "label", "doubt"),
    [
        # an insult, no D word: between d_threshold and d_threshold_insult it stays C, and the threat question is asked
        ("Hij noemde me een vuile leugenaar", {"incident_c": 0.8, "incident_d": 0.15, "greet": 0.05}, "C", ["C", "D"]),
        # at or above d_threshold_insult it is D, asked to confirm
        ("Hij noemde me een vuile leugenaar", {"incident_c": 0.6, "incident_d": 0.35, "greet": 0.05}, "D", ["C", "D"]),
        # under d_threshold: C, nothing to ask
        ("Hij noemde me een vuile leugenaar", {"incident_c": 0.95, "incident_d": 0.04, "greet": 0.01}, "C", None),
        # the same D probability with a D word in it: d_threshold counts (the insult threshold is only for insults)
        ("Hij noemde me een vuile leugenaar en zei ik weet waar je woont",
         {"incident_c": 0.8, "incident_d": 0.15, "greet": 0.05}, "D", None),
        # labelled C by the model with no insult the cue rules know: d_threshold counts
        ("Hij keek me aan", {"incident_c": 0.8, "incident_d": 0.15, "greet": 0.05}, "D", ["C", "D"]),
    ],
)
def test_an_insult_with_no_d_word_has_its_own_d_threshold(text, probs, label, doubt):
    config = {"d_threshold": 0.1, "d_threshold_insult": 0.3}
    result = triage.decide(text, ranking(**probs), config)
    assert (result["label"], result["doubt"]) == (label, doubt)
    # off (None): the insult gets d_threshold like every C message
    off = triage.decide(text, ranking(**probs), {"d_threshold": 0.1})
    assert off["label"] == ("D" if probs["incident_d"] >= 0.1 else "C")
    assert off["doubt"] == (doubt if off["label"] == label else ["C", "D"])


def test_the_insult_threshold_details():
    insult = "Hij noemde me een vuile leugenaar"
    probs = ranking(incident_c=0.8, incident_d=0.15, greet=0.05)
    # kept as C with the question: confidence is the C probability's, no D kind yet
    kept = triage.decide(insult, probs, {"d_threshold": 0.1, "d_threshold_insult": 0.3})
    assert (kept["label"], kept["subkind"]) == ("C", None) and kept["confidence"] >= 0.8
    # an insult threshold under d_threshold never lowers the bar
    assert triage.decide(insult, probs, {"d_threshold": 0.1, "d_threshold_insult": 0.05})["label"] == "D"
    # acute danger is D whatever the insult threshold
    acute = triage.decide(insult + ", hij staat nog voor de deur", ranking(incident_c=0.6, acute_danger=0.35, greet=0.05),
                          {"d_threshold": 0.1, "d_threshold_insult": 0.9, "acute_threshold": 0.3})
    assert (acute["label"], acute["acute"]) == ("D", True)
    # read as A by the model, raised to C by the insult: the insult threshold, not the one for A and B
    raised = triage.decide(insult, ranking(incident_a=0.8, incident_d=0.15, greet=0.05),
                           {"d_threshold": 0.1, "d_threshold_ab": 0.12, "d_threshold_insult": 0.3})
    assert (raised["label"], raised["doubt"]) == ("C", ["C", "D"])


def test_without_an_a_b_threshold_the_d_threshold_counts_for_every_label():
    result = triage.decide("Het ging over het besluit", ranking(incident_b=0.8, incident_d=0.15, greet=0.05),
                           {"d_threshold": 0.1})
    assert result["label"] == "D"
    assert result["doubt"] == ["B", "D"]


def test_an_unlikely_threat_does_not_change_the_label():
    result = triage.decide("Je bent een sukkel", ranking(incident_c=0.85, incident_d=0.1, greet=0.05))
    assert result["label"] == "C"
    assert result["doubt"] is None


def test_cue_settles_the_doubt():
    result = triage.decide("Je bent een leugenaar", ranking(incident_c=0.5, incident_b=0.45, greet=0.05))
    assert result["label"] == "C"
    assert result["doubt"] is None


def test_no_incident_for_greeting():
    result = triage.decide("Goedemorgen", ranking(greet=0.95, incident_a=0.05))
    assert result["label"] is None
    assert triage.intent_for(result, "greet") is None


def test_acute_overrides_everything():
    result = triage.decide("Hij staat nu voor mijn deur", ranking(greet=0.6, incident_a=0.4))
    assert result["acute"] is True
    assert result["label"] == "D"
    assert triage.intent_for(result, "greet") == "acute_danger"


def test_threat_in_a_low_confidence_message_is_still_d():
    result = triage.decide("ik maak je af", ranking(nlu_fallback=0.4, out_of_scope=0.3, greet=0.2))
    assert result["label"] == "D"
    assert triage.intent_for(result, "nlu_fallback") == "incident_d"


def test_a_threat_with_now_is_acute():
    text = "Hij roept door de brievenbus dat hij me gaat pakken. Ik ben nu alleen thuis met de kinderen."
    assert triage.decide(text, ranking(incident_d=0.9, greet=0.1))["acute"] is True
    assert triage.decide("Hij dreigde me vorige week", ranking(incident_d=0.9, greet=0.1))["acute"] is False


def test_a_threat_told_with_now_needs_some_acute_danger_from_the_model_when_asked():
    # The aftermath of a threat ("de dader zit nu vast") is no danger now; the model's acute intent tells them apart.
    text = "Hij heeft me vorige week bedreigd. De dader zit nu vast, maar ik slaap slecht."
    config = {"threat_now_min_acute": 0.1, "acute_threshold": 0.5}
    assert triage.decide(text, ranking(incident_d=0.95, greet=0.05))["acute"] is True  # default 0.0: the rule alone
    assert triage.decide(text, ranking(incident_d=0.95, greet=0.05), config)["acute"] is False
    assert triage.decide(text, ranking(incident_d=0.8, acute_danger=0.15, greet=0.05), config)["acute"] is True
    # the person's own words for acute danger need nothing from the model
    assert triage.decide("Hij staat nu voor mijn deur", ranking(greet=0.6, incident_a=0.4), config)["acute"] is True


def test_a_named_threat_in_a_question_the_model_reads_as_no_incident_is_no_incident():
    text = "Ik las dat een burgemeester bedreigd is. Vanaf wanneer moet ik zoiets bij jullie melden?"
    probs = ranking(out_of_scope=0.97, incident_d=0.01, incident_b=0.02)
    assert triage.decide(text, probs, {"cue_min_prob": 0.05})["label"] is None
    assert triage.decide(text, probs, {"cue_min_prob": 0.0})["label"] == "D"  # every cue counts
    # the same words with a model that sees a threat: D
    assert triage.decide(text, ranking(incident_d=0.3, out_of_scope=0.7), {"cue_min_prob": 0.05})["label"] == "D"


def test_a_threat_spoken_to_the_person_counts_whatever_the_model_says():
    result = triage.decide("ik maak je af", ranking(out_of_scope=0.9, greet=0.1), {"cue_min_prob": 0.05})
    assert result["label"] == "D"


def test_a_d_word_the_model_gives_no_d_is_asked_about_not_counted_when_d_cue_min_prob_is_set():
    """d_cue_min_prob: "dreigt" in a resident's own trouble or in a question about the rules is not a threat to the
    person when the model sees no D: the label stays, and the bot asks the threat question (doubt)."""
    complaint = "Huurder op het spreekuur was in tranen. De corporatie dreigt met ontruiming."
    model_sees_a = ranking(incident_a=0.95, incident_b=0.04, incident_d=0.01)
    assert triage.decide(complaint, model_sees_a)["label"] == "D"  # default 0.0: the word list alone decides
    gated = triage.decide(complaint, model_sees_a, {"d_cue_min_prob": 0.02})
    assert gated["label"] == "A"
    assert gated["doubt"] == ["A", "D"]
    assert gated["cues"] == [{"text": "dreigt", "kind": "bedreiging", "category": "D", "counted": False}]
    question = "Telt het als bedreiging als iemand zegt dat ik er spijt van krijg?"
    model_sees_none = ranking(out_of_scope=0.97, incident_d=0.01, incident_b=0.02)
    assert triage.decide(question, model_sees_none, {"d_cue_min_prob": 0.02})["label"] is None
    # at the gate exactly, the cue counts
    at_gate = ranking(incident_a=0.9, incident_d=0.05, incident_b=0.05)
    assert triage.decide(complaint, at_gate, {"d_cue_min_prob": 0.05})["label"] == "D"
    # a C cue is not gated by it
    assert triage.decide("Hij schold mij uit voor hoer", model_sees_a, {"d_cue_min_prob": 0.5})["label"] == "C"


@pytest.mark.parametrize("text", [
    "Ik ben bedreigd door een inwoner na de raadsvergadering",
    "Hij dreigde mij iets aan te doen",
    "Vannacht is er op ons huis geschoten",
    "ik steek je huis in de fik, zei hij",
    "Ik word al maanden gestalkt",
])
def test_a_threat_told_as_happening_to_the_person_counts_whatever_the_model_says(text):
    model_sees_a = ranking(incident_a=0.95, incident_b=0.04, incident_d=0.01)
    assert triage.decide(text, model_sees_a, {"d_cue_min_prob": 0.5})["label"] == "D"


def test_d_cue_min_prob_never_changes_acute_danger():
    """The "threat + nu" rule reads the D cues without the gate, whatever threat_now_min_acute is."""
    text = "De corporatie dreigt met ontruiming en die man staat nu nog in de hal"
    model = ranking(incident_a=0.9, incident_d=0.01, acute_danger=0.005, incident_b=0.085)
    for gate in (0.0, 0.02, 0.5):
        config = {"d_cue_min_prob": gate, "threat_now_min_acute": 0.0, "acute_threshold": 0.5}
        assert triage.decide(text, model, config)["acute"] is triage.decide(text, model, {**config, "d_cue_min_prob": 0.0})["acute"]


@pytest.mark.parametrize("reported", [False, True])
@pytest.mark.parametrize("direct", [False, True])
@pytest.mark.parametrize("category", ["C", "D"])
@pytest.mark.parametrize("probability", [0.0, 0.01, 0.05, 0.3])
def test_cue_counts_at_d_cue_min_prob_zero_is_the_old_rule(reported, direct, category, probability):
    """Before d_cue_min_prob: `not reported or is_direct or probs[category] >= cue_min_prob`."""
    from nlu import cues

    cue = cues.Cue(text="ik maak je af" if direct else "bedreigd", kind="bedreiging", category=category, reported=reported)
    probs = {"A": 0.0, "B": 0.0, "C": probability, "D": probability}
    for cue_min_prob in (0.0, 0.05):
        cfg = {**triage.DEFAULTS, "cue_min_prob": cue_min_prob}
        old = not reported or cues.is_direct(cue) or probability >= cue_min_prob
        assert triage.cue_counts(cue, probs, cfg) is old


def _configured() -> dict:
    """The triage settings in bot/config.yml, as the bot runs them."""
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parents[3] / "bot/config.yml").read_text(encoding="utf-8"))
    step = next(s for s in config["pipeline"] if s["name"] == "nlu.abcd.ABCDTriage")
    return {k: v for k, v in step.items() if k != "name"}


@pytest.mark.parametrize("text", [
    "Hoe lang duurt het voordat de griffie reageert? Ik ben bedreigd.",
    "ik kom langs met een mes",
    "Hij zei dat hij me gaat vermoorden.",
    "Hij dreigde me dood te maken.",
    "Hij heeft mij bedreigd.",
    "Mijn man is bedreigd na de raadsvergadering.",
    "Ik kreeg een dreigbrief.",
    "Mijn vrouw kreeg een doodsbedreiging.",
    "Iemand heeft een kogel in de brievenbus gedaan.",
    "Die linkse raadsleden verdienen de kogel.",
    "ze gaan hem afmaken",
    "Hij sloeg mij in mijn gezicht.",
    "Hij dreigt mijn auto in brand te steken.",
    "die wethouder moet dood",
    "we weten waar hij woont",
    "Hij riep dat hij me af zou maken.",
    "De burgemeester gaat eraan.",
    "Volgens hem moet de wethouder een kopje kleiner gemaakt worden.",
    "Er hing een strop aan ons hek.",
])
@pytest.mark.parametrize("probs", [dict(out_of_scope=0.95, incident_d=0.005, greet=0.045), dict(incident_b=0.9, incident_d=0.005, out_of_scope=0.095)])
def test_a_threat_in_the_persons_own_story_is_d_even_when_the_model_sees_none(text, probs):
    """The cue rules are the safety net under the model: with the settings the bot runs, a threat told as
    one's own story is D whatever the model says (reviewer's sentences), also under d_cue_min_prob (session 18)."""
    assert triage.decide(text, ranking(**probs), _configured())["label"] == "D"


@pytest.mark.parametrize("text", [
    "Ik las dat een burgemeester bedreigd is. Vanaf wanneer moet ik zoiets bij jullie melden?",
    "In de krant stond dat een wethouder in Brabant een dreigbrief kreeg. Wat doen jullie dan?",
])
def test_a_threat_read_about_is_not_an_incident_when_the_model_says_so(text):
    assert triage.decide(text, ranking(out_of_scope=0.97, incident_d=0.01, incident_b=0.02), _configured())["label"] is None


def test_the_colleague_model_flags_a_colleague_the_cue_rule_does_not_know():
    text = "tijdens het debat noemde de fractievoorzitter van de VVD mij een zielige leugenaar"
    ranking = [("incident_c", 0.9), ("incident_b", 0.1)]
    config = {"colleague_threshold": 0.7}
    assert triage.decide(text, ranking, config)["colleague"] is False  # no model: the rule alone
    assert triage.decide(text, ranking, config, colleague_probability=0.69)["colleague"] is False
    flagged = triage.decide(text, ranking, config, colleague_probability=0.7)
    assert flagged["colleague"] is True and flagged["colleague_by"] == "model" and flagged["colleague_probability"] == 0.7
    # never on what is not an incident, and the default threshold leaves it to the rule
    assert triage.decide("hoe meld ik iets?", [("out_of_scope", 0.9)], config, 0.99)["colleague"] is False
    assert triage.decide(text, ranking, None, colleague_probability=0.99)["colleague"] is False


def test_the_rule_is_named_and_the_model_alone_never_flags_acute_danger_or_a_missing_probability():
    ruled = triage.decide("Een collega-raadslid schold mij uit voor hoer", [("incident_c", 0.9)], {"colleague_threshold": 0.7})
    assert ruled["colleague"] is True and ruled["colleague_by"] == "rule"
    acute = triage.decide("Hij staat nu voor mijn deur met een mes", [("acute_danger", 0.9)], {"colleague_threshold": 0.7}, 0.95)
    assert acute["acute"] is True and acute["colleague"] is False and acute["colleague_by"] is None
    # no model at all counts as no evidence, whatever the threshold
    assert triage.decide("Hij schold mij uit", [("incident_c", 0.9)], {"colleague_threshold": 0.0})["colleague"] is False


@pytest.mark.parametrize("text", [
    "Ik kreeg gisteren een dreigbrief. Moet ik dat bij jullie melden?",
    "Mijn man is bedreigd na de raadsvergadering. Wat moeten we nu doen?",
    "Wat moet ik doen? Hij zei: ik maak je af.",
    # found in review: the story and the question in one sentence, family, staff, a time
    "Mijn man is bedreigd, wat moeten we doen?",
    "Mijn vrouw werd gisteren bedreigd door een man op straat, wat moet ik doen?",
    "Mijn dochter kreeg een dreigbrief, kan ik dat hier melden?",
    "Hij dreigde mij neer te steken, moet ik de politie bellen?",
    "Iemand volgt me al weken naar huis, wat kan ik doen?",
    "Iemand schreef dat ik gedood zou moeten worden, is dat strafbaar?",
    "Onze griffier is bedreigd na de vergadering, wat moeten we doen?",
    "Een medewerker van mijn fractie kreeg een doodsbedreiging, wat nu?",
    "Een boa is vandaag mishandeld bij het gemeentehuis. Wat moet ik doen?",
    "Na mijn stem stuurde iemand: 'Ik zal alle tegenstanders zoals jij afslachten.' Moet ik aangifte doen?",
    "Er zat een kogel in de brievenbus. Wat moet ik doen?",
    # found in review of session 12's question gate (removed: it silenced these with the real model)
    "De wethouder is mishandeld door een inwoner. Wat moet de griffie doen?",
    "Een inwoner heeft de wethouder mishandeld. Wat nu?",
    "De burgemeester is bij de markt aangevallen. Hoe melden we dat?",
    "Hij dreigde de burgemeester dood te schieten. Is dat strafbaar?",
    "Zij is wethouder en kreeg een doodsbedreiging. Hoe meld ik dat?",
    "Mn vrouw werd bedreigd, wat nu?",
])
def test_a_threat_told_with_a_question_stays_d(text):
    """A threat or an attack told next to a question counts, whoever it happened to."""
    assert triage.decide(text, ranking(out_of_scope=0.95, incident_d=0.005, greet=0.045), _configured())["label"] == "D"


def test_no_incident_with_an_incident_intent_on_top_is_asked_again_not_advised():
    """Emoji only (no word: no incident), while the model's top intent is an incident intent: the dialogue gets
    nlu_fallback ("Dat begrijp ik niet goed"), not an incident's advice (found by the e2e test, session 12)."""
    result = triage.decide("\U0001f621\U0001f621\U0001f621", ranking(incident_c=0.5, out_of_scope=0.3, greet=0.2))
    assert result["label"] is None
    assert triage.intent_for(result, "incident_c") == "nlu_fallback"
    assert triage.intent_for(result, "greet") is None  # a non-incident intent stays
