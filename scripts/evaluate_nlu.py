"""Evaluate the ABCD classifier (DIET + cue rules, as the bot runs it) on the held-out set.

Each --set names a held-out file and the floors it must reach; the run fails (exit 1) when a set
falls below its floors. With several sets it also prints all of them together (no floors).
--hide-errors keeps the misclassified texts out of the output file, so a blind set stays unread.
--real scores the real-world set (tests/nlu/real/README.md) with the measures of issue 9: macro-F1
over A-D, D recall, acute recall and false acute rate, not-an-incident recall, the colleague flag,
per kind of source, and the confusion matrix; --floor NAME=VALUE makes the run fail below a floor
(above one, for false_acute).
Usage:
  python scripts/evaluate_nlu.py --model models/meldhulp.tar.gz --set tests/nlu/heldout9.jsonl:0.90:0.94
  python scripts/evaluate_nlu.py --model models/meldhulp.tar.gz --real 'tests/nlu/real/blind*.jsonl' \
      --floor macro_f1=0.88 --floor d_recall=0.97
"""

from __future__ import annotations

import argparse
import json
import sys

from real_data import read_jsonl

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


def _share(hits: int, total: int) -> float:
    return round(hits / total, 3) if total else 0.0


def real_report(cases: list[dict], results: list[dict]) -> dict:
    """The measures of issue 9 on real-world stories."""
    gold = [c["label"] for c in cases]
    predicted = [r["label"] for r in results]
    base = scores(gold, predicted)
    per = base["per_label"]
    acute_gold = [r["acute"] for c, r in zip(cases, results, strict=True) if c.get("acute")]
    acute_false = [r["acute"] for c, r in zip(cases, results, strict=True) if not c.get("acute")]
    colleague = [(bool(c.get("colleague")), bool(r.get("colleague"))) for c, r in zip(cases, results, strict=True)]
    report = {
        "cases": len(cases),
        "macro_f1": round(sum(per[x]["f1"] for x in "ABCD") / 4, 3),
        "macro_f1_with_null": base["macro_f1"],
        "d_recall": per["D"]["recall"],
        "acute_recall": _share(sum(acute_gold), len(acute_gold)),
        "acute_cases": len(acute_gold),
        "false_acute": _share(sum(acute_false), len(acute_false)),
        "null_recall": per["None"]["recall"],
        "colleague_recall": _share(sum(g and p for g, p in colleague), sum(g for g, _ in colleague)),
        "colleague_false": _share(sum(p and not g for g, p in colleague), sum(not g for g, _ in colleague)),
        "per_label": per,
        "confusion": {str(g): {str(p): sum(1 for x, y in zip(gold, predicted, strict=True) if x == g and y == p)
                               for p in LABELS} for g in LABELS},
        "per_source_kind": {},
    }
    for kind in sorted({c.get("source_kind", "?") for c in cases}):
        idx = [i for i, c in enumerate(cases) if c.get("source_kind", "?") == kind]
        sub = scores([gold[i] for i in idx], [predicted[i] for i in idx])
        report["per_source_kind"][kind] = {
            "cases": len(idx), "accuracy": _share(sum(gold[i] == predicted[i] for i in idx), len(idx)),
            "macro_f1": sub["macro_f1"],
            "d_recall": sub["per_label"]["D"]["recall"] if sub["per_label"]["D"]["support"] else None,
        }
    return report


def show_real(name: str, report: dict, verdicts: list[str]) -> None:
    print(f"{name}: {report['cases']} cases")
    print(f"  macro-F1 (A-D) {report['macro_f1']:.3f}   D recall {report['d_recall']:.3f}   "
          f"acute recall {report['acute_recall']:.3f} ({report['acute_cases']} acute)   false acute {report['false_acute']:.3f}   "
          f"not-an-incident recall {report['null_recall']:.3f}")
    print(f"  colleague recall {report['colleague_recall']:.3f}   colleague false positives {report['colleague_false']:.3f}   "
          f"macro-F1 with not-an-incident {report['macro_f1_with_null']:.3f}")
    for label, v in report["per_label"].items():
        print(f"    {label:>4}: P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  n={v['support']}")
    print("  confusion (rows: gold, columns: predicted)")
    print("          " + "".join(f"{str(p):>6}" for p in LABELS))
    for g, row in report["confusion"].items():
        print(f"    {g:>5} " + "".join(f"{row[str(p)]:>6}" for p in LABELS))
    print("  per kind of source")
    for kind, v in report["per_source_kind"].items():
        d = "-" if v["d_recall"] is None else f"{v['d_recall']:.3f}"
        print(f"    {kind:<12} n={v['cases']:<4} accuracy {v['accuracy']:.3f}  macro-F1 {v['macro_f1']:.3f}  D recall {d}")
    for verdict in verdicts:
        print(f"  {verdict}")


def is_ceiling(name: str) -> bool:
    """A rate of false answers (false_acute, colleague_false): at most the limit; every other figure at least."""
    return name.startswith("false") or name.endswith("_false")


def check_floors(report: dict, floors: list[str]) -> list[tuple[bool, str]]:
    out = []
    for spec in floors:
        name, value = spec.split("=")
        limit, measured, ceiling = float(value), report[name], is_ceiling(name)
        ok = measured <= limit if ceiling else measured >= limit
        out.append((ok, f"{'PASS' if ok else 'FAIL'} {name} {measured:.3f} ({'<=' if ceiling else '>='} {limit})"))
    return out


def show(name: str, report: dict, verdict: str) -> None:
    d = report["per_label"]["D"]
    print(f"{name}: {report['cases']} cases  macro-F1 {report['macro_f1']:.3f}  D recall {d['recall']:.3f}  "
          f"acute recall {report['acute_recall']:.3f}  errors {len(report['errors'])}  {verdict}")
    for label, v in report["per_label"].items():
        print(f"    {label:>4}: P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  n={v['support']}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--real", metavar="GLOB", help="a real-world set (tests/nlu/real/README.md), as a glob of files")
    parser.add_argument("--floor", action="append", default=[], metavar="NAME=VALUE", help="a floor for --real")
    parser.add_argument(
        "--set", action="append", default=[], metavar="FILE:MIN_MACRO_F1:MIN_D_RECALL",
        help="a held-out file and the floors it must reach; repeat for several files",
    )
    parser.add_argument("--out")
    parser.add_argument("--hide-errors", action="store_true", help="write no misclassified texts to --out")
    args = parser.parse_args()
    agent = load(args.model)
    ok, summary = True, {"model_id": agent.processor.model_metadata.model_id}
    if args.real:
        cases = read_jsonl(*sorted(ROOT.glob(args.real)))
        results = [result_of(p) for p in parse_all(agent, [c["text"] for c in cases])]
        report = real_report(cases, results)
        checks = check_floors(report, args.floor)
        ok &= all(passed for passed, _ in checks)
        summary[args.real] = report
        show_real(args.real, report, [text for _, text in checks])
    all_cases, all_results = [], []
    for spec in args.set:
        path, min_f1, min_d = spec.rsplit(":", 2)
        cases = read_jsonl(ROOT / path)
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
            if isinstance(report, dict) and "errors" in report:
                report["errors"] = len(report["errors"])
    if args.out:
        out = ROOT / args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
