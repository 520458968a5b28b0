"""Rasa NLU component that applies the ABCD decision (see `nlu.triage`) after DIET.

It writes the result to the message as `abcd` (an output property, so it reaches the tracker's
latest message and the action server) and, when the cues or the "heaviest counts" rule change the
category, replaces the intent so that the dialogue follows the category the bot explains.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import colleague, triage
from patches import speedups

speedups.apply()  # see patches/speedups.py: Rasa 3.6 re-checks a JSON schema on every action call

# The intents that end or pause a form (the report form's open questions take every other message as the answer,
# bot/domain: `not_intent`) need their own words. Without one the model's intent is no request: "een account met een
# nepnaam", typed at "Wie deed het?", came in as request_human (0.45, round 26's model) and ended the report form;
# in session 30 "sla maar over" came in as stop. Such a message becomes nlu_fallback, which a form's open question
# takes as its answer and elsewhere gets "Dat begrijp ik niet goed".
_WORDS_OF = {
    # a person or a talk: "mens", "griffier", "medewerker", "spreken", "bellen", "doorverbinden" (phrases where a word
    # also tells a story: "iemand die ik niet ken", "hij riep om hulp", "bij de burgemeester thuis" are no request)
    "request_human": re.compile(
        r"\b(?:griffie\w*|grifier|mens(?:en)?|medewerker\w*|\w*secretaris|vertrouwenspersoon|persoonlijk|echte?\s+persoon"
        r"|\w*verbind\w*|doorverbonden|terug\s*bel\w*|bel(?:len|t)?|\w*spreken|\w*spreek|praten|praat|gesprek\w*"
        r"|aan\s+de\s+lijn|afspraak|contact\w*|help\w*\s+(?:mij|me)|(?:mij|me)\s+helpen|hulp\s+van\s+(?:een|iemand)"
        r"|geen\s+(?:bot|robot|computer)|human|call\s+me)\b",
        re.IGNORECASE,
    ),
    # stopping: "stop", "laat maar", "annuleren", "hou (maar) op", "vergeet het", "afbreken", "kappen", "niet verder"
    "stop": re.compile(
        r"\b(?:stop|stoppen|stop\s+\w+|stp|laat\s+(?:het\s+|ook\s+)?maar(?:\s+(?:zitten|weer|goed))?(?=\s*(?:[,.!?]|$))"
        r"|laat\s+zitten|an+ule\w*|hou(?:d|dt)?\s+(?:maar\s+|er\s*mee\s+|nou\s+)?op"
        r"|ophouden|vergeet\s+het|afbre\w*|breek\b.*\baf|kappen|kap\s+(?:er\s*mee|maar)|ik\s+kap\b"
        r"|wil\s+niet\s+(?:meer\s+)?verder|niet\s+doorgaan|toch\s+maar\s+niet|zie\s+er\s*van\s*af|quit|exit"
        r"|cancel\w*|wil\b.*\bniet\s+meer|zie\b.*\bvanaf|beëindig\w*|beeindig\w*|bedacht)\b|^\s*(?:ik\s+ben\s+)?klaar\b",
        re.IGNORECASE,
    ),
    # going on later: "later verder", "pauze", "straks", "opslaan", "wacht even", "geen tijd" ("twee dagen later", "een
    # week terug", "op dat moment", "hij liep weg" answer the report's questions: not these)
    "pause": re.compile(
        r"(?:^\s*later\b|\blater\s+(?:verder|afmaken|weer)"
        r"|\b(?:ik|we|wij)\s+(?:ga|gaan|doe|doen|maak|maken|wil|willen|kan|kunnen|zal|zullen)\b[^.?!]{0,25}\blater\b"
        r"|\bpauze\w*|\bpause\b|\bstraks\b|\bmorgen\s+verder|\bvanavond\s+verder|\bopslaan\b|\bsla\b.*\bop\b|\bbewa\w*"
        r"|\bafmaken\b|\bmaak\b.*\baf\b|\bik\s+kom\s+(?:zo\s+|straks\s+)?terug\b|\bben\s+(?:zo\s+)?terug\b"
        r"|\bwacht\s+(?:even|effe|eens)\b"
        r"|\bmomentje\b|\been\s+moment(?:je)?\s*(?:graag|alsjeblieft)?\s*$|\b(?:even|nu|moet)\s+(?:\w+\s+)?weg\b|\bgeen\s+tijd\b)",
        re.IGNORECASE,
    ),
}


# Only an unsure model needs the words: a request the model is sure of stands, in whatever words (the case that
# ended the report form came in at 0.45).
WORDS_NEEDED_BELOW = 0.6


def has_its_words(intent: str, text: str) -> bool:
    """Whether a message the model took for `intent` has a word of it (True for intents without a list)."""
    words = _WORDS_OF.get(intent)
    return words is None or text.startswith("/") or bool(words.search(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ABCDTriage(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return dict(triage.DEFAULTS)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ABCDTriage:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {key: config[key] for key in triage.DEFAULTS if key in config}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = [(r["name"], r["confidence"]) for r in message.get(INTENT_RANKING_KEY) or []]
            intent = message.get(INTENT) or {}
            if not ranking and intent.get("name"):
                ranking = [(intent["name"], intent.get("confidence", 0.0))]
            result = triage.decide(text, ranking, self._config, message.get(colleague.PROBABILITY))
            message.set("abcd", result, add_to_output=True)
            new_intent = triage.intent_for(result, intent.get("name"))
            if new_intent:
                message.set(INTENT, {"name": new_intent, "confidence": result["confidence"]}, add_to_output=True)
            elif not_understood(text, intent, result["label"]):
                message.set(INTENT, {"name": "nlu_fallback", "confidence": intent.get("confidence", 0.0)}, add_to_output=True)
        return messages


def not_understood(text: str, intent: dict, label: str | None) -> bool:
    """Whether the model's intent (kept by the decision) is no answer to this text, which then becomes nlu_fallback:
    "Dat begrijp ik niet goed", or a form's open question takes it as its answer. A button's payload always stands."""
    if text.startswith("/"):
        return False
    if label is None and not triage.has_a_word(text):
        # no word of two letters (emoji, punctuation, digits, a single letter) and no incident found: no intent was
        # taught such a message (round 28's model took "😡😡😡" for a greeting). An incident the decision found keeps
        # its intent: acute danger, a D (also by d_when_no_incident), a C by a masked insult the cue rules spell out
        return True
    return intent.get("confidence", 0.0) < WORDS_NEEDED_BELOW and not has_its_words(intent.get("name") or "", text)
