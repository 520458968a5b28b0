"""Choose the ABCD decision's calibration and thresholds on the real-world development set.

Parses the development cases once with the trained model, then replays the decision (nlu.triage,
pure Python) over a grid of temperature, D threshold, incident mass, acute threshold, "D when no
incident" and cue_min_prob. Prints the best settings that keep D recall >= --min-d-recall and false
acute <= --max-false-acute, ordered by macro-F1 over A-D plus not-an-incident recall; ties by acute
recall, then the fewest false acute. Never reads the blind set.
Usage: python scripts/tune_triage.py --model models/meldhulp.tar.gz [--dev 'tests/nlu/real/dev*.jsonl']
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys

from evaluate_nlu import real_report
from real_data import read_jsonl

from nlu_model import ROOT, load, parse_all

GRID = {
    "temperature": [0.7, 0.85, 1.0, 1.5],
    "d_threshold": [0.1, 0.15, 0.2, 0.25, 0.3],
    "incident_mass": [0.4, 0.5, 0.6, 0.7],
    "acute_threshold": [0.2, 0.3, 0.4, 0.5],
    "d_when_no_incident": [0.3, 0.4, 1.0],
    "cue_min_prob": [0.0, 0.05],
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--dev", default="tests/nlu/real/dev*.jsonl")
    parser.add_argument("--min-d-recall", type=float, default=0.975)
    parser.add_argument("--max-false-acute", type=float, default=0.02)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    paths = sorted(ROOT.glob(args.dev))
    if any("blind" in path.name for path in paths):
        parser.error("the blind set is never used for tuning")
    cases = read_jsonl(*paths)
    agent = load(args.model)
    parsed = parse_all(agent, [c["text"] for c in cases])
    rankings = [[(r["name"], r["confidence"]) for r in p.get("intent_ranking") or []] for p in parsed]

    import functools

    from nlu import cues, triage  # after load(): bot/ is on the path

    # The cue rules are pure functions of the text: computed once per case, not once per setting.
    for name in ("find_cues", "is_acute", "is_happening_now", "is_colleague", "medium", "is_persistent"):
        setattr(cues, name, functools.lru_cache(maxsize=None)(getattr(cues, name)))

    # Temperature by likelihood of the gold label (five-way: A, B, C, D, not an incident)
    def nll(temperature: float) -> float:
        total = 0.0
        for case, ranking in zip(cases, rankings, strict=True):
            probs = {k: 0.0 for k in "ABCD"}
            for name, conf in ranking:
                if name in triage.INCIDENT_INTENTS:
                    probs[triage.INCIDENT_INTENTS[name]] += conf
            cal, mass = triage.calibrated(probs, temperature)
            p = cal[case["label"]] if case["label"] else 1.0 - mass
            total -= math.log(max(p, 1e-6))
        return total / len(cases)

    print("temperature by likelihood on dev: " + "  ".join(f"T={t}: {nll(t):.3f}" for t in GRID["temperature"]))
    rows = []
    for values in itertools.product(*GRID.values()):
        config = dict(zip(GRID, values, strict=True))
        results = [triage.decide(c["text"], r, config) for c, r in zip(cases, rankings, strict=True)]
        for result in results:
            result["colleague"] = result.get("colleague", False)
        rep = real_report(cases, results)
        rows.append((config, rep))
    ok = [(c, r) for c, r in rows if r["d_recall"] >= args.min_d_recall and r["false_acute"] <= args.max_false_acute]
    print(f"{len(cases)} development cases; {len(ok)} of {len(rows)} settings keep D recall >= {args.min_d_recall} "
          f"and false acute <= {args.max_false_acute}")
    def rank(row: tuple[dict, dict]) -> tuple[float, float, float]:
        rep = row[1]
        return (-(rep["macro_f1"] + rep["null_recall"]), -rep["acute_recall"], rep["false_acute"])

    best = sorted(ok or rows, key=rank)[: args.top]  # stable: full ties stay in the grid's order
    for config, rep in best:
        print(json.dumps(config), f"macro-F1 {rep['macro_f1']:.3f}  D recall {rep['d_recall']:.3f}  "
              f"acute {rep['acute_recall']:.3f}  false acute {rep['false_acute']:.3f}  null {rep['null_recall']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
