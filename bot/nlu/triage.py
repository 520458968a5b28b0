"""The ABCD decision: the trained model's intent ranking plus the cue rules.

Pure Python, used by the Rasa NLU component (`nlu.abcd.ABCDTriage`) and by the tests.
The protocol rules it follows (Leiden ch. 3-4, Nijmegen table, Alkmaar matrix):
- direction beats intensity: the model learns that from examples, the cues never look at shouting;
- the heaviest behaviour present counts: a C or D cue raises a lower model label, never lowers one;
- in doubt, ask: when the model is unsure between two categories and no cue settles it, the result
  names the two categories so the bot can ask the one question that separates them.
"""

from __future__ import annotations

import re

from nlu import cues as cue_rules

_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more

INCIDENT_INTENTS = {
    "incident_a": "A",
    "incident_b": "B",
    "incident_c": "C",
    "incident_d": "D",
    "acute_danger": "D",
}
SEVERITY = cue_rules.SEVERITY
CUE_CONFIDENCE = 0.9  # confidence reported when a strong cue decides the label

DEFAULTS = {
    "min_confidence": 0.6,  # below this the model's top category is a guess: ask
    "doubt_margin": 0.25,  # a runner-up this close to the top category: ask
    # Missing a threat is the worst error: a D probability this high makes the label D, and the bot
    # asks the threat question to confirm ("nee" gives back the other category). The shipped values of
    # these settings are in bot/config.yml (chosen by scripts/tune_triage.py); these defaults serve the tests.
    "d_threshold": 0.2,
    # The same for a message labelled A or B (the label after the cue rules; None: d_threshold). Meant to be
    # higher: a threat hides far more often in personal aggression (C, the same "jij" direction) than in a
    # complaint or in criticism of policy: on round 9's 1,934 dev cases with round 9's model a D probability
    # between 0.05 and 0.3 was a threat in 19 of 107 messages labelled C, and in 1 of 33 labelled A or B.
    "d_threshold_ab": None,
    # The D threshold for a message labelled C by an insult the cue rules found, with no D word anywhere in it (None:
    # d_threshold). An insult, a slur, discrimination: "jij"-gedrag, however hateful; a model that learned threats
    # often come with slurs gives these some D. Between d_threshold and this the label stays C and the threat question
    # is still asked (doubt C/D): never settled silently on C. Chosen by scripts/tune_triage.py like the others.
    "d_threshold_insult": None,
    "incident_mass": 0.5,  # incident intents together this likely: treat as an incident
    # Calibration: the averaged ranking is over-confident on words it knows and flat on words it does
    # not. A temperature above 1 softens it, below 1 sharpens it, so that a probability means what it
    # says; fitted on the real-world development set (scripts/tune_triage.py, README).
    "temperature": 1.0,
    # Acute danger when the acute intent alone is this likely, also when it is not the top intent.
    "acute_threshold": 0.5,
    # A D cue with something happening now ("hij staat nu voor de deur en dreigt") makes it acute when the acute
    # intent is at least this likely (0.0: always). Told after the danger, "nu" is mostly the aftermath ("ik zit nu
    # bij de huisarts", "de dader zit nu vast", "nu al twee jaar"): on round 11's dev (2,207 cases, the model
    # retrained at round 11's start) this rule alone made 24 messages acute that were not and 2 that were; the model's acute intent was
    # below 0.05 in 19 of the 24 (docs/experiments/acute/false_acute.py).
    "threat_now_min_acute": 0.0,
    # A threat this likely makes it D also when the model leans to "not an incident" (1.0: never).
    "d_when_no_incident": 1.0,
    # A cue in a sentence about what the person read or heard ("ik las dat een burgemeester bedreigd
    # werd", "het vonnis") raises the label only when the model gives the cue's category at least this
    # probability: news about somebody else is then no threat to the person. Cues that speak to someone ("ik maak je
    # af") always count; other cues in the person's own story too, except D cues under d_cue_min_prob (below).
    # 0.0: every cue counts.
    "cue_min_prob": 0.0,
    # The same for a D cue elsewhere in the story: it raises the label only when the model gives D at least this
    # probability, unless its words speak to someone ("ik steek je huis in de fik") or its sentence says it happened
    # to the person ("ik word bedreigd", "hij dreigde mij", "op ons huis") or names an unmistakable threat or act
    # ("moet dood", "kogel", "mishandeld"; cues.Cue.firm). The D word lists are broad
    # ("dreigt", "greep", "bedreiging"): in a question about the rules, a resident's story of their own trouble or
    # criticism of policy they made D where the model saw none (docs/experiments/decision-edge/). A gated D cue in a
    # message labelled A, B or C still makes the bot ask the threat question (doubt), and it still counts for the
    # "threat + nu" acute rule. 0.0: every D cue counts.
    "d_cue_min_prob": 0.0,
    # The colleague model's probability (nlu/colleague.py) from which the other person counts as a fellow
    # office holder, next to the cue rule. 1.01: the rule alone.
    "colleague_threshold": 1.01,
}


def has_a_word(text: str) -> bool:
    """Whether the text has a word of two letters or more (not only emoji, punctuation, digits or single letters)."""
    return bool(_WORD.search(text))


def category_probabilities(ranking: list[tuple[str, float]]) -> dict[str, float]:
    """The probability of each category A-D: the sum of its intents' confidences in the ranking."""
    probs = {label: 0.0 for label in SEVERITY}
    for name, conf in ranking:
        if name in INCIDENT_INTENTS:
            probs[INCIDENT_INTENTS[name]] += conf
    return probs


def calibrated(probs: dict[str, float], temperature: float) -> tuple[dict[str, float], float]:
    """The A-D probabilities and the incident mass after temperature scaling of the five-way
    distribution A, B, C, D and the rest (every other intent, lumped together before scaling).
    Not the textbook scaling of the classifier's logits over all intents: this is the distribution
    the ABCD decision reads, and the temperature is fitted on it (scripts/tune_triage.py)."""
    rest = max(0.0, 1.0 - sum(probs.values()))
    if temperature == 1.0:
        return dict(probs), sum(probs.values())
    scaled = {k: v ** (1.0 / temperature) for k, v in probs.items()}
    scaled_rest = rest ** (1.0 / temperature)
    total = sum(scaled.values()) + scaled_rest
    if total <= 0:
        return dict(probs), sum(probs.values())
    out = {k: v / total for k, v in scaled.items()}
    return out, sum(out.values())


def counted_cues(cues: list) -> list[dict]:
    """The cues (as decide() writes them) that raised the label: "counted" true, or no flag (stored before it had
    one). Only these are quoted as a threat: to the user, and on the griffie page."""
    return [c for c in cues if isinstance(c, dict) and c.get("counted", True)]


def cue_counts(cue: cue_rules.Cue, probs: dict, cfg: dict) -> bool:
    """Whether a cue may raise the label (the cue_min_prob and d_cue_min_prob settings above)."""
    if cue_rules.is_direct(cue):
        return True
    floor = cfg["cue_min_prob"] if cue.reported else 0.0
    if cue.category == "D" and not cue.firm:
        floor = max(floor, cfg["d_cue_min_prob"])
    return probs[cue.category] >= floor


def decide(
    text: str, ranking: list[tuple[str, float]], config: dict | None = None, colleague_probability: float | None = None
) -> dict:
    """Return the ABCD result for one message.

    `ranking` is the intent ranking as (intent, confidence) pairs; `nlu_fallback` is ignored.
    `colleague_probability`: the colleague model's P(the other person is an office holder), if there is one.
    """
    cfg = {**DEFAULTS, **(config or {})}
    ranking = [(name, conf) for name, conf in ranking if name != "nlu_fallback"]
    probs = category_probabilities(ranking)
    top_intent = ranking[0][0] if ranking else None
    acute_prob = sum(conf for name, conf in ranking if name == "acute_danger")
    probs, mass = calibrated(probs, cfg["temperature"])
    if not has_a_word(text):
        mass = 0.0  # emoji or punctuation only: nothing told yet, whatever the embedding makes of it

    found = cue_rules.find_cues(text)
    # Which cues may raise the label: cue_counts (cue_min_prob for what the person read or heard, d_cue_min_prob for
    # a D cue that is not firm; a cue that speaks to someone always; probs["D"] includes acute danger).
    counted = [c for c in found if cue_counts(c, probs, cfg)]
    cue_level = cue_rules.heaviest(counted)
    # a D cue that counts but for d_cue_min_prob: still a threat for the acute rule, and still worth the question
    ungated = {**cfg, "d_cue_min_prob": 0.0}
    threat_cue = any(c.category == "D" and cue_counts(c, probs, ungated) for c in found)
    acute = (
        cue_rules.is_acute(text)
        or top_intent == "acute_danger"
        or acute_prob >= cfg["acute_threshold"]
        # a threat, somebody there now, and the model sees some acute danger in it
        or (threat_cue and cue_rules.is_happening_now(text) and acute_prob >= cfg["threat_now_min_acute"])
    )

    by_prob = sorted(probs, key=probs.__getitem__, reverse=True)
    model_label = None
    if mass >= cfg["incident_mass"]:
        model_label = by_prob[0]

    if acute:
        label = "D"
    else:
        candidates = [x for x in (model_label, cue_level) if x]
        label = max(candidates, key=SEVERITY.__getitem__, default=None)

    doubt = None
    if label and not acute and cue_level != label:
        # The label rests on the model alone: ask when the model itself is unsure.
        runner_up = next(x for x in by_prob if x != label)
        if probs[label] < cfg["min_confidence"] or probs[runner_up] >= probs[label] - cfg["doubt_margin"]:
            doubt = sorted([label, runner_up], key=SEVERITY.__getitem__)
    insult_only = label == "C" and cue_level == "C" and not threat_cue
    if label in ("A", "B", "C") and probs["D"] >= _d_threshold(label, cfg, insult_only):
        doubt = [label, "D"]
        label = "D"
    elif insult_only and probs["D"] >= cfg["d_threshold"]:
        doubt = ["C", "D"]  # under d_threshold_insult: an insult stays C, but the threat question is asked
    elif label is None and probs["D"] >= cfg["d_when_no_incident"]:
        label = "D"  # a question or an aside that may hide a threat: D, and the advice says so
    elif label in ("A", "B", "C") and threat_cue and cue_level != "D":
        doubt = [label, "D"]  # a D word the model gave (almost) no D: not D, but asked (with label None: dropped)

    if label is None:
        confidence = max((conf for name, conf in ranking if name not in INCIDENT_INTENTS), default=0.0)
    elif acute or cue_level == label:
        confidence = max(probs[label], CUE_CONFIDENCE)
    else:
        confidence = probs[label]

    medium = cue_rules.medium(text)
    colleague_by = _colleague_by(text, label, acute, colleague_probability, cfg["colleague_threshold"])
    return {
        "label": label,
        "confidence": round(float(confidence), 4),
        # also when D is asked about: a "ja" to the threat question then keeps the kind (physical: D_fysiek advice)
        "subkind": cue_rules.d_subkind(found) if label == "D" or (doubt and "D" in doubt) else None,
        # every cue found; "counted": whether it raised the label (cue_min_prob, d_cue_min_prob), so an explanation
        # quotes only those
        "cues": [{**c.as_dict(), "counted": c in counted} for c in found],
        "doubt": doubt,
        "acute": acute,
        "persistent": cue_rules.is_persistent(text),
        # the other person is a fellow office holder: another route (gedragscode), bot/actions/triage.py
        "colleague": colleague_by is not None,
        "colleague_by": colleague_by,
        "colleague_probability": None if colleague_probability is None else round(float(colleague_probability), 4),
        "medium": medium,
        "online": medium in cue_rules.ONLINE_MEDIA,
    }


def _d_threshold(label: str, cfg: dict, insult_only: bool = False) -> float:
    """The D probability from which a message labelled `label` (A, B or C, after the cue rules) is taken as D;
    insult_only: labelled C by an insult cue, with no D word in it (d_threshold_insult)."""
    if label in ("A", "B") and cfg["d_threshold_ab"] is not None:
        return float(cfg["d_threshold_ab"])
    if insult_only and cfg["d_threshold_insult"] is not None:
        return max(float(cfg["d_threshold_insult"]), float(cfg["d_threshold"]))
    return float(cfg["d_threshold"])


def _colleague_by(
    text: str, label: str | None, acute: bool, probability: float | None, threshold: float
) -> str | None:
    """Who says the other person is a fellow office holder: "rule" (the cue rule names one who acted),
    "model" (only the colleague model, nlu/colleague.py), or None. Only for an incident; the model alone
    never for acute danger (112 and the aggression protocol come first)."""
    if label is None:
        return None
    if cue_rules.is_colleague(text):
        return "rule"
    if not acute and probability is not None and probability >= threshold:
        return "model"
    return None


def intent_for(result: dict, current_intent: str | None) -> str | None:
    """The intent the dialogue should see, or None to keep the model's intent."""
    label = result["label"]
    if result["acute"]:
        return "acute_danger"
    if label is None:
        # Not an incident, but the model's top intent is one (emoji only, or incident intents too weak
        # together): the dialogue must not run an incident's advice on it. Unclear: ask again.
        return "nlu_fallback" if current_intent in INCIDENT_INTENTS else None
    if INCIDENT_INTENTS.get(current_intent or "") == label:
        return None
    return f"incident_{label.lower()}"
