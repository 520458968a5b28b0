"""Evaluate the ABCD classifier (DIET + cue rules, as the bot runs it) on the held-out set.

Each --set names a held-out file and the floors it must reach; the run fails (exit 1) when a set
falls below its floors. With several sets it also prints all of them together (no floors).
--hide-errors keeps the misclassified texts out of the output file, so a blind set stays unread.
Usage:
  python scripts/evaluate_nlu.py --model models/meldhulp.tar.gz --set tests/nlu/heldout9.jsonl:0.90:0.94
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


def evaluate(cases: list[dict], results: list[dict]) -> dict:
    gold = [c["label"] for c in cases]
    report = scores(gold, [r["label"] for r in results])
    acute = [r["acute"] for c, r in zip(cases, results, strict=True) if c.get("acute")]
    report["acute_recall"] = round(sum(acute) / max(1, len(acute)), 3)
    report["cases"] = len(cases)
    report["errors"] = [
        {"text": c["text"], "gold": c["label"], "predicted": r["label"], "confidence": r["confidence"], "cues": [x["text"] for x in r["cues"]]}
        for c, r in zip(cases, results, strict=True)
        if c["label"] != r["label"]
    ]
    return report


def show(name: str, report: dict, verdict: str) -> None:
    d = report["per_label"]["D"]
    print(f"{name}: {report['cases']} cases  macro-F1 {report['macro_f1']:.3f}  D recall {d['recall']:.3f}  "
          f"acute recall {report['acute_recall']:.3f}  errors {len(report['errors'])}  {verdict}")
    for label, v in report["per_label"].items():
        print(f"    {label:>4}: P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  n={v['support']}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument(
        "--set", action="append", required=True, metavar="FILE:MIN_MACRO_F1:MIN_D_RECALL",
        help="a held-out file and the floors it must reach; repeat for several files",
    )
    parser.add_argument("--out")
    parser.add_argument("--hide-errors", action="store_true", help="write no misclassified texts to --out")
    args = parser.parse_args()
    agent = load(args.model)
    ok, summary = True, {"model_id": agent.processor.model_metadata.model_id}
    all_cases, all_results = [], []
    for spec in args.set:
        path, min_f1, min_d = spec.rsplit(":", 2)
        cases = [json.loads(line) for line in (ROOT / path).read_text(encoding="utf-8").splitlines() if line.strip()]
        results = [result_of(p) for p in parse_all(agent, [c["text"] for c in cases])]
        all_cases += cases
        all_results += results
        report = evaluate(cases, results)
        d_recall = report["per_label"]["D"]["recall"]
        passed = report["macro_f1"] >= float(min_f1) and d_recall >= float(min_d)
        ok &= passed
        report["floors"] = {"macro_f1": float(min_f1), "d_recall": float(min_d), "passed": passed}
        summary[path] = report
        show(path, report, f"{'PASS' if passed else 'FAIL'} (floors {min_f1} / {min_d})")
    if len(args.set) > 1:
        summary["all sets together"] = report = evaluate(all_cases, all_results)
        show("all sets together", report, "")
    if args.hide_errors:
        for report in summary.values():
            if isinstance(report, dict):
                report["errors"] = len(report["errors"])
    if args.out:
        out = ROOT / args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
