"""The D threshold at the grid's edge: what each setting of the D threshold costs and buys on cross-fitted dev.

Round 13's tuner found no setting with D recall >= 0.985 on dev, so its rule ranked the settings with the highest
D recall any reached (0.982) and took the grid's lowest D threshold, 0.05; round 13's blind set then had A taken for D
14 times in 63 (4 in round 12). This measures, on dev only, what the D threshold buys in D cases and costs in A, B, C
and not-an-incident cases taken for D, every other setting as in round 13's decision, and why messages that are not D
became D. Session 18 ran it twice: on round 13's dev plus its retired blind set's dev third (2,854 cases, before round
14's new train and dev cases were added; README table 1) and on round 14's dev (2,930; table 2); run today, it scores
the dev set in the repository.
Caches the cross-fitted rankings in var/exp/edge_<data>.pkl (about 8 minutes to make).
Run: .venv-rasa/bin/python docs/experiments/decision-edge/edge.py [threshold_ab ...]
"""
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import cross_fit  # noqa: E402  (puts bot/ on the path)
from evaluate_nlu import real_report  # noqa: E402
from real_data import OUT, cases  # noqa: E402

from nlu import triage  # noqa: E402

dev = cases("dev")
key = hashlib.sha256((OUT.read_text(encoding="utf-8") + repr([c["text"] for c in dev])).encode()).hexdigest()[:12]
cache = ROOT / f"var/exp/edge_{key}.pkl"
rankings, colleague = cross_fit.cached_rankings(dev, 5, cache)
# round 13's decision (the same as round 14's but for the incident mass and the D cues that need the model)
shipped = {**cross_fit.component_config("nlu.abcd.ABCDTriage"), "incident_mass": 0.5, "d_cue_min_prob": 0.0}
labels = ["A", "B", "C", "D", None]
gold_d = sum(c["label"] == "D" for c in dev)
print(f"{len(dev)} dev cases ({gold_d} D), out of fold; round 13's settings except the D thresholds")
print("d_threshold  d_threshold_ab  macro-F1  D caught  A->D  B->D  C->D  null->D  null recall")
for ab in [None] + [float(x) for x in sys.argv[1:]]:
    for d in (0.03, 0.04, 0.05, 0.07, 0.1, 0.15, 0.2):
        if ab is not None and ab <= d:
            continue
        config = {**shipped, "d_threshold": d, "d_threshold_ab": ab}
        results = [triage.decide(c["text"], r, config, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
        rep = real_report(dev, results)
        to_d = {g: sum(c["label"] == g and r["label"] == "D" for c, r in zip(dev, results, strict=True)) for g in labels}
        caught = sum(c["label"] == "D" and r["label"] == "D" for c, r in zip(dev, results, strict=True))
        print(f"{d:>11}  {str(ab):>14}  {rep['macro_f1']:.3f}  {caught:>4}/{gold_d}  {to_d['A']:>4}  {to_d['B']:>4}  "
              f"{to_d['C']:>4}  {to_d[None]:>7}  {rep['null_recall']:.3f}")

# Why A, B and not-an-incident become D at round 13's settings: acute danger, a D cue, the model's top label, or the
# D threshold (the model's top label was A, B or C and P(D) reached the threshold), or D when no incident.
print("\nat round 13's settings, why a case that is not D became D")
print("gold  cases  ->D  acute  D-cue  model-top-D  D-threshold  no-incident")
for gold in ("A", "B", "C", None):
    why = {"acute": 0, "cue": 0, "top": 0, "threshold": 0, "no_incident": 0}
    n = 0
    for c, r, p in zip(dev, rankings, colleague, strict=True):
        if c["label"] != gold:
            continue
        n += 1
        res = triage.decide(c["text"], r, shipped, p)
        if res["label"] != "D":
            continue
        probs, mass = triage.calibrated(triage.category_probabilities([x for x in r if x[0] != "nlu_fallback"]),
                                        shipped["temperature"])
        top = max(probs, key=probs.__getitem__)
        if res["acute"]:
            why["acute"] += 1
        elif any(cue["category"] == "D" and cue.get("counted", True) for cue in res["cues"]):
            why["cue"] += 1
        elif mass < shipped["incident_mass"]:
            why["no_incident"] += 1
        elif top == "D":
            why["top"] += 1
        else:
            why["threshold"] += 1
    print(f"{str(gold):>4}  {n:>5}  {sum(why.values()):>3}  {why['acute']:>5}  {why['cue']:>5}  {why['top']:>11}  "
          f"{why['threshold']:>11}  {why['no_incident']:>11}")
