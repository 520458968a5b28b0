"""Evaluate the ABCD classifier (DIET + cue rules, as the bot runs it) on the held-out set.

Fails (exit 1) below the thresholds of issue 2: macro-F1 >= 0.90 and D recall >= 0.97.
Usage: python scripts/evaluate_nlu.py --model models/meldhulp.tar.gz --data tests/nlu/heldout.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys

from nlu_model import ROOT, load, parse_all, result_of

LABELS = ["A", "B", "C", "D", None]


def scores(gold: list, predicted: list) -> dict:
    per_label = {}
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[str(label)] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "support": tp + fn}
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label)
    return {"macro_f1": round(macro, 3), "per_label": per_label}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out")
    parser.add_argument("--min-macro-f1", type=float, default=0.90)
    parser.add_argument("--min-d-recall", type=float, default=0.97)
    args = parser.parse_args()
    data_path = (ROOT / args.data).resolve()
    cases = [json.loads(line) for line in data_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    agent = load(args.model)
    results = [result_of(p) for p in parse_all(agent, [c["text"] for c in cases])]
    gold = [c["label"] for c in cases]
    predicted = [r["label"] for r in results]
    report = scores(gold, predicted)
    acute = [c for c, r in zip(cases, results, strict=True) if c.get("acute")]
    report["acute_recall"] = round(sum(1 for c, r in zip(cases, results, strict=True) if c.get("acute") and r["acute"]) / max(1, len(acute)), 3)
    report["cases"] = len(cases)
    report["errors"] = [
        {"text": c["text"], "gold": c["label"], "predicted": r["label"], "confidence": r["confidence"], "cues": [x["text"] for x in r["cues"]]}
        for c, r in zip(cases, results, strict=True)
        if c["label"] != r["label"]
    ]
    d_recall = report["per_label"]["D"]["recall"]
    print(f"held-out cases: {len(cases)}  macro-F1: {report['macro_f1']:.3f}  D recall: {d_recall:.3f}  acute recall: {report['acute_recall']:.3f}")
    for label, v in report["per_label"].items():
        print(f"  {label:>4}: P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  n={v['support']}")
    print(f"  errors: {len(report['errors'])}")
    if args.out:
        out = ROOT / args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    ok = report["macro_f1"] >= args.min_macro_f1 and d_recall >= args.min_d_recall
    print("PASS" if ok else f"FAIL: needs macro-F1 >= {args.min_macro_f1} and D recall >= {args.min_d_recall}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
