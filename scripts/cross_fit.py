"""Development-set rankings by cross-fitting: every dev case scored by a model fitted without it.

The development cases are training data too (scripts/real_data.py writes train and dev into the Rasa training
data), so the shipped model learns from all of them. The decision's thresholds must still be chosen on
probabilities from a model that has not seen the case: the dev set is split into folds by source
(real_sources.fold_of, so no source is in two folds), and each fold is scored by the shipped classifier's own code
(nlu.ensemble.fit_model and rank, with bot/config.yml's settings) fitted on the training data without that fold.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import yaml
from real_data import OUT, one_line, render
from real_sources import fold_of

from nlu_model import ROOT

CLASSIFIER = "nlu.ensemble.TextLogisticRegression"


def pipeline() -> list[dict]:
    return yaml.safe_load((ROOT / "bot/config.yml").read_text(encoding="utf-8"))["pipeline"]


def component_config(name: str) -> dict:
    """The settings bot/config.yml gives the pipeline component `name` (without its name)."""
    return {k: v for k, v in next(c for c in pipeline() if c["name"] == name).items() if k != "name"}


def training_examples() -> list:
    """The intent examples Rasa trains the classifier on (bot/data/nlu)."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [m for m in load_data(str(ROOT / "bot/data/nlu")).intent_examples if m.get("text") and m.get("intent")]


def check_the_setup(cases: list[dict], examples: list) -> None:
    """Stop when the rankings would not be the component's: a stale training file, a dev case it lacks, or another
    intent classifier in the pipeline (the component's ranking would be blended with it, nlu.ensemble.blend)."""
    if not OUT.exists() or OUT.read_text(encoding="utf-8") != render():
        raise SystemExit(f"{OUT.relative_to(ROOT)} is out of date: run python scripts/real_data.py")
    known = {one_line(m.get("text")) for m in examples}
    missing = sum(one_line(c["text"]) not in known for c in cases)
    if missing:
        raise SystemExit(f"{missing} development cases are not in the training data: run python scripts/real_data.py")
    names = [c["name"] for c in pipeline()]
    if CLASSIFIER not in names:
        raise SystemExit(f"{CLASSIFIER} is not in bot/config.yml's pipeline")
    # Rasa's intent classifiers are named "...Classifier" (DIETClassifier, LogisticRegressionClassifier, ...);
    # FallbackClassifier only puts nlu_fallback on top, which the decision ignores (nlu.triage.decide)
    others = [name for name in names if "Classifier" in name and name != "FallbackClassifier"]
    if others:
        raise SystemExit(f"cross-fitting scores {CLASSIFIER} alone; the pipeline also has {others}")


def rankings(cases: list[dict], folds: int, log=print, *, settings: dict | None = None, examples: list | None = None,
             embed=None) -> tuple[list[list[tuple[str, float]]], list[float | None]]:
    """For each case, in order: its intent ranking (as the component writes it) and P(colleague), from a model fitted
    on the training examples without the case's fold.

    `settings` change bot/config.yml's classifier settings (docs/experiments/hyper/sweep.py); `examples` (from
    training_examples()) and `embed` (from kept_embeddings()) are reused when given, for a caller that cross-fits
    several settings on the same data."""
    from nlu import ensemble

    config = {**component_config(CLASSIFIER), **(settings or {})}
    if examples is None:
        examples = training_examples()
    check_the_setup(cases, examples)
    fold = [fold_of(c["source"], folds) for c in cases]
    if embed is None:
        embed = kept_embeddings([m.get("text") for m in examples])
    out: list = [None] * len(cases)
    for k in range(folds):
        held_out = {one_line(c["text"]) for c, f in zip(cases, fold, strict=True) if f == k}
        model = ensemble.fit_model([m for m in examples if one_line(m.get("text")) not in held_out], config, embed)
        index = [i for i, f in enumerate(fold) if f == k]
        rows = ensemble.rank(model, [cases[i]["text"] for i in index], embed)
        for i, (row, colleague_probability) in zip(index, rows, strict=True):
            ranking = ensemble.blend([], row, 1.0)[: ensemble.RANKING_LENGTH]  # alone in the pipeline (checked)
            out[i] = ([(r["name"], r["confidence"]) for r in ranking], colleague_probability)
        log(f"fold {k + 1} of {folds}: {len(index)} development cases scored by a model fitted without them")
    return [r for r, _ in out], [p for _, p in out]


def cached_rankings(cases: list[dict], folds: int, cache: Path, log=print) -> tuple[list, list]:
    """`rankings(cases, folds)`, kept in the pickle `cache` for the next run (experiment scripts read one cross-fit many
    times; the name of `cache` must change with whatever changes the rankings)."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    result = rankings(cases, folds, log)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(result))
    return result


def kept_embeddings(texts: list[str], embed=None):
    """nlu.embeddings.embed (or `embed`), computing each text's vector once: every fold's fit embeds nearly the same
    ~12,000 texts, most of a fit's time. The same vectors."""
    import numpy as np

    if embed is None:
        from nlu import embeddings

        embed = embeddings.embed
    kept = dict(zip(texts, embed(texts), strict=True))

    def embed_kept(batch: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(batch) if t not in kept]
        if missing:
            kept.update(zip(missing, embed(missing), strict=True))
        return np.vstack([kept[t] for t in batch])

    return embed_kept
