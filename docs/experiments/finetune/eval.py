"""The harness (docs/experiments/second-signal/r9.py: the shipped features and logistic regression, the decision,
real_report) with the fine-tuned embedding instead of the frozen one, trained without dev, scored on dev.

    .venv-rasa/bin/python docs/experiments/finetune/eval.py NAME [NAME ...]   (NAME: var/exp/e5ft/emb_NAME.pkl, or
    frozen: the harness with the frozen embedding)
    .venv-rasa/bin/python docs/experiments/finetune/eval.py --cv NAME          (needs NAME_fold0 and NAME_fold1)

--cv: each real-world training story gets its embedding from the fold model that did not train on its source
(finetune.py ... FOLD), everything else (synthetic examples, dev) from the model trained on all training stories:
the linear model then sees the fine-tuned block on its training data as it will see it on dev.
"""
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "second-signal"))
import pickle
import numpy as np
import r9
from ft_lib import ROOT

base, dev, train_real = r9.load_all()
dev_texts = [c["text"] for c in dev]
frozen = r9.embed
cv = "--cv" in sys.argv


def load(name):
    return pickle.loads((ROOT / f"var/exp/e5ft/emb_{name}.pkl").read_bytes())


def score(label):
    """Fit the harness's linear model with r9.embed as it is now, score dev, print the decision and its curve."""
    ranks = r9.ranks_from(*r9.proba_lr(r9.fit_lr(base), dev_texts))
    r9.summary(dev, r9.decide_all(dev, ranks), f"{label} shipped cfg")
    r9.curve(dev, ranks, label=f"{label} curve")


for name in [a for a in sys.argv[1:] if a != "--cv"]:
    if name == "frozen":  # the frozen embedding alone: the same harness's baseline
        r9.embed = frozen
        score("frozen")
        continue
    table = load(name)
    if cv:
        from real_sources import fold_of
        folds = [load(f"{name}_fold{k}") for k in (0, 1)]
        for c in train_real:
            table[c["text"]] = folds[fold_of(c["source"], 2)][c["text"]]
        name += " cv"

    def fine_tuned(texts, table=table):
        return np.vstack([table.get(t, np.zeros(384, np.float32)) if t else np.zeros(384, np.float32) for t in texts])

    r9.embed = fine_tuned
    score(f"{name} ft")
    r9.embed = lambda texts: np.hstack([frozen(texts), fine_tuned(texts)])  # side by side
    score(f"{name} both")
