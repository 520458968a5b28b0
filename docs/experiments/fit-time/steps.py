"""Session 24: how many L-BFGS steps the classifier's fit needs, on the cross-fitted development set.

The fit stops after `max_iter` steps (bot/config.yml: 100; stopping early regularises). L-BFGS's path does not depend on
max_iter, so one cross-fitting run to 100 steps gives the models after fewer steps too (`lbfgs.fit`'s `on_step`). For
each step count: the dev cases scored by the models fitted without their fold (five folds by source, as
scripts/tune_triage.py does), then
- bot/config.yml's decision: macro-F1, D recall, acute, false acute, not-an-incident;
- the best macro-F1 + not-an-incident over a small grid of the two D thresholds (the rest as bot/config.yml) that keeps
  D recall >= 0.985 (the tuner's bar), and the highest D recall any grid setting reaches;
- the seconds the fit took to reach that step (all five folds).
The rankings are kept in var/exp/steps_<examples>.pkl (delete it after a data change). Never reads the blind set.
Run (Rasa environment, repository root; about 20 minutes: the cross-fitting 10, the decisions 9):
    .venv-rasa/bin/python docs/experiments/fit-time/steps.py [40 50 60 70 80 90 100]
"""

import itertools
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
import cross_fit  # noqa: E402  (puts bot/ on the path)
from evaluate_nlu import real_report  # noqa: E402
from real_data import cases, one_line  # noqa: E402
from real_sources import fold_of  # noqa: E402

from nlu import ensemble, lbfgs, triage  # noqa: E402

STEPS = [int(a) for a in sys.argv[1:]] or [40, 50, 60, 70, 80, 90, 100]
FOLDS = 5
THRESHOLDS = [0.05, 0.07, 0.1, 0.15]


def fitted_with_snapshots(examples: list, config: dict, embed) -> tuple[dict, object, dict[int, tuple]]:
    """ensemble.fit_model's model, its classes, and the coefficients and seconds at each step count in STEPS."""
    snapshots: dict[int, tuple] = {}
    classes: list = [None]
    fit = lbfgs.fit

    def recording_fit(x_sparse, x_dense, y, weights, c, max_iter):
        started = time.perf_counter()

        def on_step(step, x):
            if step in STEPS:
                snapshots[step] = (x.copy(), time.perf_counter() - started)

        final = fit(x_sparse, x_dense, y, weights, c, max_iter, on_step)
        classes[0] = final.classes_
        return final

    lbfgs.fit = recording_fit
    try:
        model = ensemble.fit_model(examples, config, embed)
    finally:
        lbfgs.fit = fit
    return model, classes[0], snapshots


def cross_fitted(dev: list[dict]) -> tuple[dict[int, list], dict[int, float]]:
    """For each step count: every dev case's (ranking, P(colleague)); and the fit's seconds to that step, summed."""
    config = cross_fit.component_config(cross_fit.CLASSIFIER)
    config["max_iter"] = max(STEPS)
    examples = cross_fit.training_examples()
    cross_fit.check_the_setup(dev, examples)
    fold = [fold_of(c["source"], FOLDS) for c in dev]
    embed = cross_fit.kept_embeddings([m.get("text") for m in examples])
    out: dict[int, list] = {s: [None] * len(dev) for s in STEPS}
    seconds = dict.fromkeys(STEPS, 0.0)
    for k in range(FOLDS):
        held_out = {one_line(c["text"]) for c, f in zip(dev, fold, strict=True) if f == k}
        model, classes, snapshots = fitted_with_snapshots(
            [m for m in examples if one_line(m.get("text")) not in held_out], config, embed)
        missing = sorted(set(STEPS) - set(snapshots))
        if missing:  # L-BFGS stopped (converged) before these steps: there is no model after them
            raise SystemExit(f"fold {k + 1}: the fit stopped before step {missing[0]}; ask for fewer steps")
        index = [i for i, f in enumerate(fold) if f == k]
        for step, (solution, took) in snapshots.items():
            seconds[step] += took
            classifier = lbfgs.model(classes, solution, step, config["C"], step)
            rows = ensemble.rank({**model, "classifier": classifier}, [dev[i]["text"] for i in index], embed)
            for i, (row, colleague_probability) in zip(index, rows, strict=True):
                ranking = ensemble.blend([], row, 1.0)[: ensemble.RANKING_LENGTH]
                out[step][i] = ([(r["name"], r["confidence"]) for r in ranking], colleague_probability)
        print(f"fold {k + 1} of {FOLDS}: fit to step {max(snapshots)} in {snapshots[max(snapshots)][1]:.1f} s", flush=True)
    return out, seconds


def scored(dev: list[dict], rows: list, decision: dict) -> dict:
    results = [triage.decide(c["text"], r, decision, p) for c, (r, p) in zip(dev, rows, strict=True)]
    return real_report(dev, results)


def _scored_setting(job: tuple) -> tuple:
    step, d_c, d_ab = job
    decision = cross_fit.component_config("nlu.abcd.ABCDTriage")
    if d_c is not None:
        decision = {**decision, "d_threshold": d_c, "d_threshold_ab": d_ab}
    return job, scored(_DEV, _OUT[step], decision)


_DEV: list = []
_OUT: dict = {}


def main() -> None:
    dev = cases("dev")
    cache = ROOT / f"var/exp/steps_{len(dev)}_{max(STEPS)}.pkl"
    if cache.exists():
        out, seconds = pickle.loads(cache.read_bytes())
    else:
        out, seconds = cross_fitted(dev)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps((out, seconds)))
    from multiprocessing import get_context

    _DEV[:] = dev
    _OUT.update(out)
    jobs = [(step, None, None) for step in STEPS]
    jobs += [(step, d_c, d_ab) for step in STEPS for d_c, d_ab in itertools.product(THRESHOLDS, THRESHOLDS)]
    with get_context("fork").Pool(2) as pool:  # the decision is pure Python: one process per core
        reports = dict(pool.map(_scored_setting, jobs))
    print(f"{len(dev)} development cases; bot/config.yml's decision, then the best of {len(THRESHOLDS) ** 2} D-threshold "
          "settings with D recall >= 0.985")
    for step in STEPS:
        rep = reports[(step, None, None)]
        best, highest = None, 0.0
        for d_c, d_ab in itertools.product(THRESHOLDS, THRESHOLDS):
            r = reports[(step, d_c, d_ab)]
            highest = max(highest, r["d_recall"])
            if r["d_recall"] >= 0.985 and (best is None or r["macro_f1"] + r["null_recall"] > best[0]):
                best = (r["macro_f1"] + r["null_recall"], d_c, d_ab, r)
        grid = (f"best D {best[1]}/{best[2]}: {best[3]['macro_f1']:.3f} / {best[3]['d_recall']:.3f} / "
                f"null {best[3]['null_recall']:.3f}" if best else "none reaches 0.985")
        print(f"{step:4d} steps, fit {seconds[step]:6.1f} s (5 folds): shipped {rep['macro_f1']:.3f} / D {rep['d_recall']:.3f} / "
              f"acute {rep['acute_recall']:.3f} / false {rep['false_acute']:.3f} / null {rep['null_recall']:.3f}; "
              f"{grid}; highest D {highest:.3f}", flush=True)


if __name__ == "__main__":
    main()
