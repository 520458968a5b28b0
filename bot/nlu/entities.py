"""The entity extractor: Rasa's CRF, trained on the examples that can teach it, and the components that prepare them.

Entities (role, municipality) are annotated only in the examples written for the dialogue
(bot/data/nlu/routing.yml and the like). The real-world stories (tests/nlu/real, scripts/real_data.py: over 10,000
of them) carry no annotation, also where they name a role or a municipality ("ik ben raadslid in Leiden"), so in the
CRF they only taught "no entity here" for words that are entities elsewhere, and they were most of its training time:
Rasa's CRF is trained once when the model is trained and again from its stored examples each time the model is loaded.
This extractor leaves them out; everything else is Rasa's CRFEntityExtractor.

Only the CRF reads what spaCy, the tokenizer and the regex featurizer (the lookup tables' "pattern") add to a training
example; the intent classifier reads the text (nlu/ensemble.py). So at training time these three prepare the written
examples only, and the real-world stories pass by untouched (session 22: 427.6 -> 341.8 s from scratch, README "Training"). A
user's message goes through all of them as before (process(), not process_training_data()).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.ensemble import is_real_world


def _filter_fingerprint() -> str:
    """Rasa's training cache sees only a component class's own source, not the functions it calls: this file and the
    one that says what is real-world, so that a change to the filter trains again."""
    here = Path(__file__).resolve().parent
    return hashlib.sha256(b"".join((here / name).read_bytes() for name in ("entities.py", "ensemble.py"))).hexdigest()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class WrittenExamplesCRF(CRFEntityExtractor):
    """CRFEntityExtractor trained without the real-world stories (nlu.ensemble.is_real_world)."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return _filter_fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        return super().train(without_real_world(training_data))


class _WrittenExamplesOnly:
    """process_training_data for the written examples only; the real-world ones pass through as they are."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return _filter_fingerprint()

    def process_training_data(self, training_data: TrainingData, **kwargs: Any) -> TrainingData:
        # Rasa's graph passes its inputs by name (SpacyNLP also gets model=)
        super().process_training_data(training_data=without_real_world(training_data), **kwargs)  # type: ignore[misc]
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="WrittenExamplesSpacyNLP",
)
class WrittenExamplesSpacyNLP(_WrittenExamplesOnly, SpacyNLP):
    """Rasa's SpacyNLP; at training time spaCy reads the written examples only."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class WrittenExamplesSpacyTokenizer(_WrittenExamplesOnly, SpacyTokenizer):
    """Rasa's SpacyTokenizer; at training time it tokenizes the written examples only."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class WrittenExamplesRegexFeaturizer(_WrittenExamplesOnly, RegexFeaturizer):
    """Rasa's RegexFeaturizer; at training time it marks the lookup tables' words in the written examples only."""


def without_real_world(training_data: TrainingData) -> TrainingData:
    """The same training data without the real-world examples (the same messages, with the features set on them).

    Made once per training data object: the four components above get the same object from Rasa's graph, and each
    new TrainingData hashes every message it keeps (about 2 s a time for 20,000 examples, session 30's profile). The
    kept messages are the same objects, so what a later component adds to them is there. Made again when the list of
    examples is another list or of another length (not when an example in it is replaced: nothing here does that)."""
    examples = training_data.training_examples
    kept = training_data.__dict__.get("_written_examples")
    if kept is None or kept[0] is not examples or kept[1] != len(examples):
        kept = (examples, len(examples), training_data.filter_training_examples(lambda m: not is_real_world(m)))
        training_data.__dict__["_written_examples"] = kept
    return kept[2]
