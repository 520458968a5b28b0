"""Round 12: does the development set, used as training data too, lift the classifier? (cross-fitting)

(a) the shipped features and classifier fitted on the training examples, scored on dev (as today);
(b) dev split into K folds by source; each fold scored by a model fitted on the training examples plus the
    other folds' dev cases (as real-world examples): every dev case is scored by a model that never saw it
    or its source. Both as the curve of the D threshold (macro-F1 / D recall / not-an-incident).
Run: .venv-rasa/bin/python docs/experiments/cross-fit/r12_crossfit.py [K]
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "second-signal"))
import r9  # noqa: E402  (the round 9 harness: shipped features, classifier, decision and report)

sys.path.insert(0, str(r9.ROOT / "scripts"))
from real_data import intent_of  # noqa: E402
from real_sources import fold_of  # noqa: E402

K = int(sys.argv[1]) if len(sys.argv) > 1 else 5
base, dev, _ = r9.load_all()
print(f"{len(base)} training examples, {len(dev)} dev cases", flush=True)
fold = [fold_of(c["source"], K) for c in dev]
texts = [c["text"] for c in dev]

m = r9.fit_lr(base)
plain = r9.ranks_from(*r9.proba_lr(m, texts))
r9.curve(dev, plain, label="train only      ")

oof = [None] * len(dev)
for k in range(K):
    extra = [(c["text"], intent_of(c), True) for c, f in zip(dev, fold, strict=True) if f != k]
    mk = r9.fit_lr(base + extra)
    idx = [i for i, f in enumerate(fold) if f == k]
    for i, r in zip(idx, r9.ranks_from(*r9.proba_lr(mk, [texts[i] for i in idx])), strict=True):
        oof[i] = r
    print(f"fold {k}: {len(idx)} dev cases scored, {len(extra)} dev cases trained on", flush=True)
r9.curve(dev, oof, label=f"train + dev, {K}-fold")
r9.summary(dev, r9.decide_all(dev, plain), "train only, shipped decision")
r9.summary(dev, r9.decide_all(dev, oof), "cross-fit, shipped decision")
