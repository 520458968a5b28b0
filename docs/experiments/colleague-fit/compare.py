"""Session 25: the colleague model (nlu/colleague.py) fitted by scikit-learn on the joined sparse matrix, as until
round 20, and by nlu/lbfgs.py's binomial fit with the embedding kept dense. Same data (the real-world training
examples of bot/data/nlu, their real e5 embeddings), same settings (C from bot/config.yml, 3000 steps at most).
The features are cached in var/exp/ (the embedding takes minutes). Prints each fit's seconds and steps, the largest difference in P(colleague) over those examples, and how many flags
change at each threshold the tuner tries. Run (Rasa environment, repository root):
    .venv-rasa/bin/python docs/experiments/colleague-fit/compare.py
"""
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
import cross_fit  # noqa: E402  (puts bot/ on the path)
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from nlu import colleague, ensemble  # noqa: E402

config = {**ensemble.TextLogisticRegression.get_default_config(), **cross_fit.component_config(cross_fit.CLASSIFIER)}
examples = [m for m in cross_fit.training_examples() if ensemble.is_real_world(m)]
texts = [m.get("text") for m in examples]
labels = [colleague.is_colleague_example(m) for m in examples]
started = time.perf_counter()
cache = ROOT / "var/exp" / f"colleague_features_{len(texts)}.pkl"  # delete it after a change of data
if cache.exists():
    x_ngrams, x_dense = pickle.loads(cache.read_bytes())
else:
    x_ngrams = ensemble._ngrams(config).fit_transform(texts)
    x_dense = ensemble._dense(texts, float(config["e5_scale"]))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps((x_ngrams, x_dense)))
print(f"{len(texts)} real-world examples ({sum(labels)} colleague), features in {time.perf_counter() - started:.1f} s",
      flush=True)
c = float(config["colleague_C"])
joined = ensemble._joined(x_ngrams, x_dense)
started = time.perf_counter()
old = LogisticRegression(C=c, max_iter=colleague.MAX_ITER).fit(joined, labels)
old_s = time.perf_counter() - started
started = time.perf_counter()
new = colleague.fit(x_ngrams, x_dense, labels, c)
new_s = time.perf_counter() - started
p_old, p_new = (np.array(colleague.probabilities(m, joined)) for m in (old, new))
print(f"scikit-learn on the joined matrix: {old_s:.1f} s, {int(old.n_iter_[0])} steps")
print(f"nlu/lbfgs.py, embedding dense:     {new_s:.1f} s, {int(new.n_iter_[0])} steps")
print(f"largest difference in P(colleague): {np.abs(p_old - p_new).max():.2e}; "
      f"coefficients: {np.abs(old.coef_ - new.coef_).max():.2e} (largest {np.abs(old.coef_).max():.2f})")
for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.92, 0.94, 0.96, 0.98):
    changed = int(((p_old >= threshold) != (p_new >= threshold)).sum())
    print(f"  threshold {threshold}: flagged {int((p_old >= threshold).sum())} / {int((p_new >= threshold).sum())}, "
          f"{changed} changed")
