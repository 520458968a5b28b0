"""Agreement between the dataset's labels and an independent relabelling of 250 dev cases (README "Classifier").

sample.jsonl: 50 dev cases of each label (A, B, C, D, not an incident), drawn with random.Random(9) from
tests/nlu/real/dev*.jsonl at the start of round 9, with the dataset's label and source. helper_labels.jsonl: the
labels a helper gave from the text alone, following prompt.md (the collectors' label rules); its `source` is the
case's, added by id. Scored as the classifier is (scripts/evaluate_nlu.py, real_report), the helper in the
classifier's place. Run:
    python docs/experiments/relabel/agreement.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2] / "scripts"))
from evaluate_nlu import LABELS, real_report  # noqa: E402
from real_data import read_jsonl  # noqa: E402


def main() -> None:
    cases = read_jsonl(HERE / "sample.jsonl")
    helper = {c["id"]: c for c in read_jsonl(HERE / "helper_labels.jsonl")}
    results = [helper[c["id"]] for c in cases]
    report = real_report(cases, results)
    n = len(cases)
    confusion = report["confusion"]
    agree = sum(confusion[str(label)][str(label)] for label in LABELS) / n
    expected = sum(
        sum(confusion[str(label)].values()) / n * sum(row[str(label)] for row in confusion.values()) / n
        for label in LABELS
    )
    sure = [(c, r) for c, r in zip(cases, results, strict=True) if r["sure"]]
    print(f"{n} cases: agreement {agree:.3f}, Cohen's kappa {(agree - expected) / (1 - expected):.2f}, "
          f"macro-F1 over A-D {report['macro_f1']:.3f}; "
          f"on the {len(sure)} marked sure {sum(c['label'] == r['label'] for c, r in sure) / len(sure):.3f}")
    print(f"acute: {report['acute_recall']:.3f} of the {report['acute_cases']} acute found, "
          f"false acute {report['false_acute']:.3f}")
    print("dataset \\ helper", [str(label) for label in LABELS])
    for gold, row in confusion.items():
        print(f"  {gold:5s}", list(row.values()))


if __name__ == "__main__":
    main()
