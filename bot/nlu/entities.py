"""The entity extractor: Rasa's CRF, trained on the examples that can teach it.

Entities (role, municipality) are annotated only in the examples written for the dialogue
(bot/data/nlu/routing.yml and the like). The real-world stories (tests/nlu/real, scripts/real_data.py: over 10,000
of them) carry no annotation, also where they name a role or a municipality ("ik ben raadslid in Leiden"), so in the
CRF they only taught "no entity here" for words that are entities elsewhere, and they were most of its training time:
Rasa's CRF is trained once when the model is trained and again from its stored examples each time the model is loaded.
This extractor leaves them out; everything else is Rasa's CRFEntityExtractor.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.ensemble import is_real_world


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class WrittenExamplesCRF(CRFEntityExtractor):
    """CRFEntityExtractor trained without the real-world stories (nlu.ensemble.is_real_world)."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the filter changes: Rasa's cache sees only this class's own source, not the functions it calls."""
        here = Path(__file__).resolve().parent
        return hashlib.sha256(b"".join((here / name).read_bytes() for name in ("entities.py", "ensemble.py"))).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        return super().train(without_real_world(training_data))


def without_real_world(training_data: TrainingData) -> TrainingData:
    """The same training data without the real-world examples (the same messages, with the features set on them)."""
    return training_data.filter_training_examples(lambda m: not is_real_world(m))
