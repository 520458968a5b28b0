"""How much a blind set of about 300 cases moves the issue-9 measures by chance alone (README "Classifier").

Scores the development cases once (cross-fitted from round 12, when dev became training data: scripts/cross_fit.py,
then the decision with bot/config.yml's settings; round 10's numbers in README came from its model), then draws 1,000 sets of 312 dev cases with the blind
sets' label mix (A 54, B 66, C 61, D 86, not an incident 45; without replacement, seed 10) and prints the mean,
the standard deviation and the 5th-95th percentile of each measure. A blind set outside that range differs from dev
by more than chance: in what it holds, not only in which cases were drawn. Run with the Rasa environment:
    .venv-rasa/bin/python docs/experiments/blind-spread/spread.py
"""

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
import cross_fit  # noqa: E402  (puts bot/ on the path)
from evaluate_nlu import real_report  # noqa: E402
from real_data import read_jsonl  # noqa: E402

from nlu_model import ROOT  # noqa: E402

MIX = {"A": 54, "B": 66, "C": 61, "D": 86, None: 45}
MEASURES = ("macro_f1", "d_recall", "acute_recall", "false_acute", "null_recall")


def main() -> None:
    from nlu import triage

    argparse.ArgumentParser().parse_args()
    cases = read_jsonl(*sorted(ROOT.glob("tests/nlu/real/dev*.jsonl")))
    rankings, colleague = cross_fit.rankings(cases, 5)
    config = cross_fit.component_config("nlu.abcd.ABCDTriage")
    results = [triage.decide(c["text"], r, config, p) for c, r, p in zip(cases, rankings, colleague, strict=True)]
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
