"""Development-set rankings by cross-fitting: every dev case scored by a model fitted without it.

The development cases are training data too (scripts/real_data.py writes train and dev into the Rasa training
data), so the shipped model learns from all of them. The decision's thresholds must still be chosen on
probabilities from a model that has not seen the case: the dev set is split into folds by source
(real_sources.fold_of, so no source is in two folds), and each fold is scored by the shipped classifier's own code
(nlu.ensemble.fit_model and rank, with bot/config.yml's settings) fitted on the training data without that fold.
"""

from __future__ import annotations

from contextlib import contextmanager

import yaml
from real_sources import fold_of

from nlu_model import ROOT

CLASSIFIER = "nlu.ensemble.TextLogisticRegression"


def _same(text: str) -> str:
    return " ".join(text.split())  # as scripts/real_data.py writes an example


def classifier_config() -> dict:
    pipeline = yaml.safe_load((ROOT / "bot/config.yml").read_text(encoding="utf-8"))["pipeline"]
    return {k: v for k, v in next(c for c in pipeline if c["name"] == CLASSIFIER).items() if k != "name"}


def training_examples() -> list:
    """The intent examples Rasa trains the classifier on (bot/data/nlu)."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [m for m in load_data(str(ROOT / "bot/data/nlu")).intent_examples if m.get("text") and m.get("intent")]


def rankings(cases: list[dict], folds: int, log=print) -> tuple[list[list[tuple[str, float]]], list[float | None]]:
    """For each case, in order: its intent ranking (as the component writes it) and P(colleague), from a model fitted
    on the training examples without the case's fold."""
    from nlu import ensemble

    config = classifier_config()
    examples = training_examples()
    known = {_same(m.get("text")) for m in examples}
    missing = sum(_same(c["text"]) not in known for c in cases)
    if missing:
        raise SystemExit(f"{missing} development cases are not in the training data: run python scripts/real_data.py")
    fold = [fold_of(c["source"], folds) for c in cases]
    out: list = [None] * len(cases)
    with vectors_kept([m.get("text") for m in examples]):
        for k in range(folds):
            held_out = {_same(c["text"]) for c, f in zip(cases, fold, strict=True) if f == k}
            model = ensemble.fit_model([m for m in examples if _same(m.get("text")) not in held_out], config)
            index = [i for i, f in enumerate(fold) if f == k]
            rows = ensemble.rank(model, [cases[i]["text"] for i in index])
            for i, (row, colleague_probability) in zip(index, rows, strict=True):
                ranking = ensemble.blend([], row, 1.0)[: ensemble.RANKING_LENGTH]  # alone in the pipeline
                out[i] = ([(r["name"], r["confidence"]) for r in ranking], colleague_probability)
            log(f"fold {k + 1} of {folds}: {len(index)} development cases scored by a model fitted without them")
    return [r for r, _ in out], [p for _, p in out]


@contextmanager
def vectors_kept(texts: list[str]):
    """Each fold's fit embeds nearly the same texts: while cross-fitting, every text's e5 vector is computed once and
    kept (the same vectors; embedding ~12,000 texts is most of a fit's time). nlu.embeddings.embed as before after."""
    import numpy as np

    from nlu import embeddings

    original = embeddings.embed
    kept = dict(zip(texts, original(texts), strict=True))

    def embed(batch: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(batch) if t not in kept]
        if missing:
            kept.update(zip(missing, original(missing), strict=True))
        return np.vstack([kept[t] for t in batch])

    embeddings.embed = embed
    try:
        yield
    finally:
        embeddings.embed = original
