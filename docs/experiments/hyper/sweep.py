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
import tune_triage  # noqa: E402
from evaluate_nlu import real_report  # noqa: E402
from real_data import REAL, read_jsonl  # noqa: E402
from real_sources import ROUND  # noqa: E402

from nlu import triage  # noqa: E402

VARIANTS = ["", "C=5", "C=20", "real_weight=2", "real_weight=8", "e5_scale=1.0", "e5_scale=2.0"]


def main() -> None:
    variants = sys.argv[1:] or VARIANTS
    paths = sorted(REAL.glob("dev*.jsonl"))
    dev = read_jsonl(*paths)
    try:
        fresh_paths = tune_triage.fresh_files(tune_triage.fresh_patterns(tune_triage.FRESH_FROM_ROUND, ROUND), paths)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    fresh = tune_triage.fresh_indices(paths, fresh_paths)
    threats = [i for i in fresh if dev[i]["label"] == "D"]
    examples = cross_fit.training_examples()
    cross_fit.check_the_setup(dev, examples)  # before minutes of embedding
    embed = cross_fit.kept_embeddings([m.get("text") for m in examples])
    decision = cross_fit.component_config("nlu.abcd.ABCDTriage")
    print(f"{len(dev)} dev cases, {len(fresh)} fresh ({len(threats)} threats); decision {decision}", flush=True)
    for variant in variants:
        started = time.monotonic()
        settings = {k: int(v) if v.isdigit() else float(v) for k, v in (kv.split("=") for kv in variant.split(",") if kv)}
        rankings, _ = cross_fit.rankings(dev, 5, lambda _: None, settings=settings, examples=examples, embed=embed)
        parts = []
        for d in (0.05, 0.07, 0.1, 0.15):
            results = [triage.decide(c["text"], r, {**decision, "d_threshold": d}) for c, r in zip(dev, rankings, strict=True)]
            rep = real_report(dev, results)
            caught = sum(results[i]["label"] == "D" for i in threats)
            parts.append(f"D>={d}: {rep['macro_f1']:.3f}/{rep['d_recall']:.3f}/{caught}of{len(threats)}/{rep['null_recall']:.3f}")
        print(f"{variant or 'shipped'} ({(time.monotonic() - started) / 60:.1f} min): " + "  ".join(parts), flush=True)


if __name__ == "__main__":
    main()
