"""A D cue raises the label only when the model gives D some probability (triage's d_cue_min_prob), unless its words
speak to someone or it is firm (cues.Cue.firm): what it buys and costs on cross-fitted dev, every other setting as
shipped (bot/config.yml).
Uses the rankings edge.py cached (run edge.py first on the same data).
Run: .venv-rasa/bin/python docs/experiments/decision-edge/cue_gate.py
"""
import hashlib
import pickle
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
rankings, colleague = pickle.loads((ROOT / f"var/exp/edge_{key}.pkl").read_bytes())
shipped = cross_fit.component_config("nlu.abcd.ABCDTriage")
gold_d = sum(c["label"] == "D" for c in dev)
print(f"{len(dev)} dev cases ({gold_d} D, {sum(bool(c.get('acute')) for c in dev)} acute), out of fold")
print("d_cue_min_prob  d_threshold  macro-F1  D caught  A->D  B->D  C->D  null->D  null recall  acute  false acute")
for d in (shipped["d_threshold"], 0.07, 0.1):
    for gate in (0.0, 0.005, 0.01, 0.02, 0.03, 0.05):
        config = {**shipped, "d_threshold": d, "d_cue_min_prob": gate}
        results = [triage.decide(c["text"], r, config, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
        rep = real_report(dev, results)
        to_d = {g: sum(c["label"] == g and r["label"] == "D" for c, r in zip(dev, results, strict=True))
                for g in ("A", "B", "C", None)}
        caught = sum(c["label"] == "D" and r["label"] == "D" for c, r in zip(dev, results, strict=True))
        print(f"{gate:>14}  {d:>11}  {rep['macro_f1']:.3f}  {caught:>4}/{gold_d}  {to_d['A']:>4}  {to_d['B']:>4}  "
              f"{to_d['C']:>4}  {to_d[None]:>7}  {rep['null_recall']:.3f}        {rep['acute_recall']:.3f}  {rep['false_acute']:.3f}")

# At the shipped settings, with every D cue counting: how many threats only a D cue found, and how many other messages a D cue
# alone made D (the same decision without the D word lists gives another label).
without_d_words = {**shipped, "d_cue_min_prob": 1.01}  # no D cue counts unless direct or firm
found_only_by_words = made_d_by_words = 0
for c, r, p in zip(dev, rankings, colleague, strict=True):
    with_words = triage.decide(c["text"], r, {**shipped, "d_cue_min_prob": 0.0}, p)["label"] == "D"
    without = triage.decide(c["text"], r, without_d_words, p)["label"] == "D"
    if with_words and not without:
        if c["label"] == "D":
            found_only_by_words += 1
        else:
            made_d_by_words += 1
print(f"\nD cues that neither speak to someone nor are firm (the person's own, or unmistakable), at the shipped settings: they find "
      f"{found_only_by_words} threats the rest misses, and make {made_d_by_words} other messages D")
