"""The fine-tuned heads as a second opinion on the label (not a feature block): the harness's linear model (frozen
embedding, trained without dev) and the heads of finetune.py (trained on the training stories only) both score dev
out of sample; each label's probability becomes (1 - w) * the linear model's + w * the heads', spread over that
label's intents in the linear model's proportions; then the decision and its D-threshold curve.

    .venv-rasa/bin/python docs/experiments/finetune/blend.py NAME      (NAME: var/exp/e5ft/head_NAME.pkl)
"""
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "second-signal"))
import pickle
import numpy as np
import r9
from ft_lib import ROOT
from nlu.triage import INCIDENT_INTENTS

base, dev, _ = r9.load_all()
heads = pickle.loads((ROOT / f"var/exp/e5ft/head_{sys.argv[1]}.pkl").read_bytes())  # dev x [A, B, C, D, None]
assert heads.shape == (len(dev), 5)
classes, P = r9.proba_lr(r9.fit_lr(base), [c["text"] for c in dev])
group = np.array(["ABCD".index(INCIDENT_INTENTS[c]) if c in INCIDENT_INTENTS else 4 for c in classes])
for w in (0.0, 0.2, 0.35, 0.5):
    Q = P.copy()
    for g in range(5):
        cols = group == g
        mass = P[:, cols].sum(1)
        target = (1 - w) * mass + w * heads[:, g]
        Q[:, cols] *= (target / np.maximum(mass, 1e-12))[:, None]
    r9.curve(dev, r9.ranks_from(classes, Q), label=f"w {w:4.2f}", thresholds=(0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3))
