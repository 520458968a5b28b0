"""The harness (docs/experiments/second-signal/r9.py: the shipped features and logistic regression, the decision,
real_report) with the fine-tuned embedding instead of the frozen one, trained without dev, scored on dev.

    .venv-rasa/bin/python docs/experiments/finetune/eval.py NAME [NAME ...]   (NAME: var/exp/e5ft/emb_NAME.pkl)
"""
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "second-signal"))
import pickle
import numpy as np
import r9
from ft_lib import ROOT

base, dev, _ = r9.load_all()
dev_texts = [c["text"] for c in dev]
frozen = r9.embed
for name in sys.argv[1:]:
    table = pickle.loads((ROOT / f"var/exp/e5ft/emb_{name}.pkl").read_bytes())
    for mode in ("ft", "both"):
        if mode == "ft":
            r9.embed = lambda texts: np.vstack([table.get(t, np.zeros(384, np.float32)) if t else np.zeros(384, np.float32) for t in texts])
        else:  # the frozen and the fine-tuned embedding side by side
            ft = lambda texts: np.vstack([table.get(t, np.zeros(384, np.float32)) if t else np.zeros(384, np.float32) for t in texts])
            r9.embed = lambda texts: np.hstack([frozen(texts), ft(texts)])
        m = r9.fit_lr(base)
        classes, P = r9.proba_lr(m, dev_texts)
        ranks = r9.ranks_from(classes, P)
        r9.summary(dev, r9.decide_all(dev, ranks), f"{name} {mode} shipped cfg")
        r9.curve(dev, ranks, label=f"{name} {mode} curve")
