"""Is the other person a fellow office holder? A small model learned from the real-world stories.

The cue rule (`nlu.cues.is_colleague`) only knows a few ways to say it ("een collega-raadslid zei ...") and
found 7 of 91 colleague stories in the real-world development set. Real people say "iemand van de
oppositie", "de voorzitter", "een wethouder van mijn eigen coalitie". This model reads the same features as
the intent classifier (n-grams and the sentence embedding, nlu/ensemble.py) and is trained on the real-world
examples only, whose label says whether the other person was a colleague (scripts/real_data.py writes it as
intent metadata). The ABCD decision counts it only above a high probability (`colleague_threshold` in
bot/config.yml, chosen on dev by scripts/tune_triage.py). A flag from this model alone makes the bot add the
gedragscode route under a condition ("Is de ander een collega-ambtsdrager? Dan geldt dit: ..."), next to the
aggression protocol's advice and reporting (bot/actions/triage.py); only the cue rule's flag, which names a colleague
who acted, can leave reporting to the gedragscode.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.training_data.message import Message

# the message property that carries P(colleague) from nlu.ensemble to nlu.abcd (not an output of its own)
PROBABILITY = "colleague_probability"
MAX_ITER = 3000  # fitted until it converges (scikit-learn's tolerances)


def is_colleague_example(message: Message) -> bool:
    metadata = message.get("metadata") or {}
    return bool((metadata.get("intent") or {}).get("colleague"))


def fit(x_ngrams: Any, x_dense: Any | None, labels: list[bool], c: float) -> Any | None:
    """A logistic regression on the n-gram rows and their embedding rows (None: n-grams only); None without examples
    of both kinds (nothing to learn). scikit-learn's binomial fit, with the embedding kept dense (nlu/lbfgs.py): the
    same model in a fraction of the time."""
    if len(set(labels)) < 2:
        return None
    from nlu import lbfgs

    return lbfgs.fit(x_ngrams, x_dense, labels, [1.0] * len(labels), c, MAX_ITER)


def probabilities(model: Any | None, x: Any) -> list[float | None]:
    """P(colleague) for each row, or None for every row without a model."""
    if model is None:
        return [None] * x.shape[0]
    column = list(model.classes_).index(True)
    return [float(p) for p in model.predict_proba(x)[:, column]]
