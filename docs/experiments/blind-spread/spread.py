"""How much a blind set of about 300 cases moves the issue-9 measures by chance alone (README "Classifier").

Parses the development cases once with the trained model, then draws 1,000 sets of 312 dev cases with the blind
sets' label mix (A 54, B 66, C 61, D 86, not an incident 45; without replacement, seed 10) and prints the mean,
the standard deviation and the 5th-95th percentile of each measure. A blind set outside that range differs from dev
by more than chance: in what it holds, not only in which cases were drawn. Run with the Rasa environment:
    .venv-rasa/bin/python docs/experiments/blind-spread/spread.py [--model models/meldhulp.tar.gz]
"""

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from evaluate_nlu import real_report  # noqa: E402
from real_data import read_jsonl  # noqa: E402

from nlu_model import ROOT, load, parse_all  # noqa: E402

MIX = {"A": 54, "B": 66, "C": 61, "D": 86, None: 45}
MEASURES = ("macro_f1", "d_recall", "acute_recall", "false_acute", "null_recall")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "models/meldhulp.tar.gz"))
    args = parser.parse_args()
    cases = read_jsonl(*sorted(ROOT.glob("tests/nlu/real/dev*.jsonl")))
    results = [p.get("abcd") or {} for p in parse_all(load(args.model), [c["text"] for c in cases])]
    whole = real_report(cases, results)
    print(f"dev, {len(cases)} cases: " + "  ".join(f"{k} {whole[k]:.3f}" for k in MEASURES))
    by_label: dict = {}
    for case, result in zip(cases, results, strict=True):
        by_label.setdefault(case["label"], []).append((case, result))
    rng = random.Random(10)
    values: dict = {k: [] for k in MEASURES}
    for _ in range(1000):
        drawn = [pair for label, n in MIX.items() for pair in rng.sample(by_label[label], n)]
        report = real_report([c for c, _ in drawn], [r for _, r in drawn])
        for k in MEASURES:
            values[k].append(report[k])
    print(f"1,000 draws of {sum(MIX.values())} cases with the blind sets' label mix:")
    for k, v in values.items():
        v.sort()
        print(f"  {k:13s} mean {statistics.mean(v):.3f}  sd {statistics.stdev(v):.3f}  5-95 % {v[50]:.3f} - {v[949]:.3f}")


if __name__ == "__main__":
    main()
