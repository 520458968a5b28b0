"""The classifier's settings (C, real_weight, e5_scale) on cross-fitted dev, with the shipped decision.

Each variant is cross-fitted as scripts/tune_triage.py does (five folds by source, each scored by the classifier
fitted without it), then decided with bot/config.yml's decision settings and with the D threshold at 0.05, 0.07,
0.1 and 0.15. Prints macro-F1 over A-D, D recall on all dev and on the fresh dev cases (those nobody read when the cue
rules were written, scripts/tune_triage.py --fresh), and not-an-incident recall. The embeddings are computed once.
Run: .venv-rasa/bin/python docs/experiments/hyper/sweep.py [NAME=VALUE,... ...]   (default: the variants below)
"""
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import cross_fit  # noqa: E402  (puts bot/ on the path)
from evaluate_nlu import real_report  # noqa: E402
from real_data import REAL, read_jsonl  # noqa: E402
from real_sources import ROUND  # noqa: E402

from nlu import ensemble, triage  # noqa: E402

VARIANTS = ["", "C=5", "C=20", "real_weight=2", "real_weight=8", "e5_scale=1.0", "e5_scale=2.0"]


def main() -> None:
    variants = sys.argv[1:] or VARIANTS
    paths = sorted(REAL.glob("dev*.jsonl"))
    dev = read_jsonl(*paths)
    fresh_names = {f"dev_r{ROUND}e.jsonl", f"dev_r{ROUND}f.jsonl", f"dev_r{ROUND - 1}retired.jsonl"}
    fresh = [i for i, p in enumerate(p for p in paths for _ in read_jsonl(p)) if p.name in fresh_names]
    threats = [i for i in fresh if dev[i]["label"] == "D"]
    examples = cross_fit.training_examples()
    cross_fit.check_the_setup(dev, examples)
    embed = cross_fit.kept_embeddings([m.get("text") for m in examples])
    base = cross_fit.component_config(cross_fit.CLASSIFIER)
    decision = cross_fit.component_config("nlu.abcd.ABCDTriage")
    folds = [cross_fit.fold_of(c["source"], 5) for c in dev]
    print(f"{len(dev)} dev cases, {len(fresh)} fresh ({len(threats)} threats); decision {decision}", flush=True)
    for variant in variants:
        started = time.monotonic()
        config = {**base, **{k: float(v) for k, v in (kv.split("=") for kv in variant.split(",") if kv)}}
        rankings: list = [None] * len(dev)
        for k in range(5):
            held_out = {cross_fit.one_line(c["text"]) for c, f in zip(dev, folds, strict=True) if f == k}
            model = ensemble.fit_model([m for m in examples if cross_fit.one_line(m.get("text")) not in held_out],
                                       config, embed)
            index = [i for i, f in enumerate(folds) if f == k]
            for i, (row, _) in zip(index, ensemble.rank(model, [dev[i]["text"] for i in index], embed), strict=True):
                ranking = ensemble.blend([], row, 1.0)[: ensemble.RANKING_LENGTH]
                rankings[i] = [(r["name"], r["confidence"]) for r in ranking]
        parts = []
        for d in (0.05, 0.07, 0.1, 0.15):
            results = [triage.decide(c["text"], r, {**decision, "d_threshold": d}) for c, r in zip(dev, rankings, strict=True)]
            rep = real_report(dev, results)
            caught = sum(results[i]["label"] == "D" for i in threats)
            parts.append(f"D>={d}: {rep['macro_f1']:.3f}/{rep['d_recall']:.3f}/{caught}of{len(threats)}/{rep['null_recall']:.3f}")
        print(f"{variant or 'shipped'} ({(time.monotonic() - started) / 60:.1f} min): " + "  ".join(parts), flush=True)


if __name__ == "__main__":
    main()
