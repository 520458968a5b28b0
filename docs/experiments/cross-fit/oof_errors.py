"""The shipped decision on cross-fitted dev probabilities: the confusion matrix and the error counts by kind.

The dev cases are training data (round 12), so the shipped model's own errors on them are no longer out of sample;
these are: each fold scored by the classifier fitted without it (scripts/cross_fit.py), then nlu.triage.decide with
bot/config.yml's settings. Prints counts only; --texts also prints the wrong dev texts (dev errors may be read).
The cross-fitted rankings are cached in var/exp/ by the number of dev cases and the commit (delete the file after a
change of data or code that the name does not show). Also the colleague flag's false flags: residents' stories only.
Run: .venv-rasa/bin/python docs/experiments/cross-fit/oof_errors.py [--texts]
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import cross_fit  # noqa: E402  (puts bot/ on the path)
from evaluate_nlu import real_report  # noqa: E402
from real_data import cases  # noqa: E402

from nlu import triage  # noqa: E402


def print_scores(dev: list[dict], results: list[dict]) -> None:
    """The decision's scores on the dev cases and its confusion matrix (counts only; also docs/experiments/e5-layers/)."""
    rep = real_report(dev, results)
    print(f"{len(dev)} dev cases, out of fold: macro-F1 {rep['macro_f1']:.3f}  D recall {rep['d_recall']:.3f}  "
          f"acute {rep['acute_recall']:.3f}  false acute {rep['false_acute']:.3f}  null {rep['null_recall']:.3f}")
    labels = ["A", "B", "C", "D", None]
    print("gold \\ predicted  " + "  ".join(f"{str(x):>5}" for x in labels))
    for gold in labels:
        row = [sum(c["label"] == gold and r["label"] == p for c, r in zip(dev, results, strict=True)) for p in labels]
        print(f"{str(gold):>16}  " + "  ".join(f"{n:>5}" for n in row))


def main() -> None:
    config = cross_fit.component_config("nlu.abcd.ABCDTriage")
    dev = cases("dev")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    cache = ROOT / "var/exp" / f"oof_{len(dev)}_{commit}.pkl"
    rankings, colleague = cross_fit.cached_rankings(dev, 5, cache)
    results = [triage.decide(c["text"], r, config, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
    print_scores(dev, results)
    acute_false = sum(r["acute"] and not c.get("acute") for c, r in zip(dev, results, strict=True))
    acute_missed = sum(c.get("acute") and not r["acute"] for c, r in zip(dev, results, strict=True))
    colleague_found = sum(c["colleague"] and r["colleague"] for c, r in zip(dev, results, strict=True))
    colleague_false = sum(r["colleague"] and not c["colleague"] for c, r in zip(dev, results, strict=True))
    print(f"acute: {acute_false} false, {acute_missed} missed; colleague found {colleague_found} of "
          f"{sum(c['colleague'] for c in dev)}, {colleague_false} false flags of {sum(not c['colleague'] for c in dev)}")
    if "--texts" in sys.argv:
        for c, r in zip(dev, results, strict=True):
            if c["label"] != r["label"]:
                print(f"{c['label']} -> {r['label']}: {c['text'][:200]}")


if __name__ == "__main__":
    main()
