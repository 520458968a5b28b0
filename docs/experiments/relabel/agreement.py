"""Agreement between the dataset's labels and an independent relabelling of 250 dev cases (README "Classifier").

sample.jsonl: 50 dev cases of each label (A, B, C, D, not an incident), drawn with random.Random(9) from
tests/nlu/real/dev*.jsonl at the start of round 9, with the dataset's label. helper_labels.jsonl: the labels a
helper gave from the text alone, following prompt.md (the collectors' label rules). Run:
    python docs/experiments/relabel/agreement.py
"""

import json
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
LABELS = ["A", "B", "C", "D", None]


def main() -> None:
    gold = {c["id"]: c for c in map(json.loads, (HERE / "sample.jsonl").read_text(encoding="utf-8").splitlines())}
    other = {c["id"]: c for c in map(json.loads, (HERE / "helper_labels.jsonl").read_text(encoding="utf-8").splitlines())}
    pairs = Counter((gold[i]["label"], other[i]["label"]) for i in gold)
    n = len(gold)
    agree = sum(pairs[(label, label)] for label in LABELS) / n
    expected = sum(
        sum(pairs[(label, p)] for p in LABELS) / n * sum(pairs[(g, label)] for g in LABELS) / n for label in LABELS
    )

    def f1(label):
        tp = pairs[(label, label)]
        fp = sum(pairs[(g, label)] for g in LABELS if g != label)
        fn = sum(pairs[(label, p)] for p in LABELS if p != label)
        return 2 * tp / (2 * tp + fp + fn)

    sure = [i for i in gold if other[i]["sure"]]
    print(f"{n} cases: agreement {agree:.3f}, Cohen's kappa {(agree - expected) / (1 - expected):.2f}, "
          f"macro-F1 over A-D {sum(f1(label) for label in 'ABCD') / 4:.3f}; "
          f"on the {len(sure)} marked sure {sum(gold[i]['label'] == other[i]['label'] for i in sure) / len(sure):.3f}")
    acute = sum(gold[i]["acute"] == other[i]["acute"] for i in gold)
    print(f"acute: the same in {acute} of {n} ({sum(gold[i]['acute'] for i in gold)} acute in the dataset)")
    print("dataset \\ helper", [str(label) for label in LABELS])
    for g in LABELS:
        print(f"  {str(g):5s}", [pairs[(g, p)] for p in LABELS])


if __name__ == "__main__":
    main()
