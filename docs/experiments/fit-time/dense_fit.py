"""Session 19: the classifier's fit with the sentence embedding kept dense (bot/nlu/lbfgs.py) against scikit-learn's own.

1. One fit on all training examples (bot/data/nlu, as `make train` fits them) by each: seconds, L-BFGS steps, the
   largest difference in coefficients and in training-set probabilities, and whether the top intents agree.
2. The cross-fitted development set (scripts/cross_fit.py: five folds by source, each scored by a model fitted without
   it) with each fit, scored with bot/config.yml's decision: macro-F1, D recall, acute, false acute, not-an-incident.
Run (Rasa environment, repository root; about 20 minutes, time it on an otherwise idle machine):
    .venv-rasa/bin/python docs/experiments/fit-time/dense_fit.py [--fit-only]
"""
import sys
import time
import warnings
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
import cross_fit  # noqa: E402  (puts bot/ on the path)
import numpy as np  # noqa: E402
from evaluate_nlu import real_report  # noqa: E402
from real_data import cases  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from nlu import ensemble, lbfgs, triage  # noqa: E402


def sklearn_fit(x_sparse, x_dense, y, sample_weight, c, max_iter):
    """What nlu/ensemble.py did before lbfgs.py: scikit-learn's fit on the one sparse matrix."""
    both = sparse.hstack([x_sparse, sparse.csr_matrix(x_dense)], format="csr")
    return LogisticRegression(C=c, max_iter=max_iter).fit(both, y, sample_weight=sample_weight)


FITS = {"scikit-learn": sklearn_fit, "lbfgs.fit": lbfgs.fit}
warnings.simplefilter("ignore", ConvergenceWarning)
config = {**ensemble.TextLogisticRegression.get_default_config(), **cross_fit.component_config(cross_fit.CLASSIFIER)}
examples = cross_fit.training_examples()
texts = [m.get("text") for m in examples]
labels = [m.get("intent") for m in examples]
weights = [config["real_weight"] if ensemble.is_real_world(m) else 1.0 for m in examples]
ngrams = ensemble._ngrams(config).fit(texts)
x_sparse, x_dense = ensemble.feature_parts(ngrams, texts, config["e5_scale"])
both = sparse.hstack([x_sparse, sparse.csr_matrix(x_dense)], format="csr")
fitted = {}
for name, fit in FITS.items():
    started = time.perf_counter()
    fitted[name] = fit(x_sparse, x_dense, labels, weights, config["C"], config["max_iter"])
    print(f"{name}: one fit on {len(examples)} examples {time.perf_counter() - started:.1f} s, "
          f"{int(max(fitted[name].n_iter_))} L-BFGS steps", flush=True)
a, b = fitted["lbfgs.fit"], fitted["scikit-learn"]
pa, pb = a.predict_proba(both), b.predict_proba(both)
print(f"largest difference: coefficient {np.abs(a.coef_ - b.coef_).max():.3f} (largest coefficient "
      f"{np.abs(b.coef_).max():.2f}), probability {np.abs(pa - pb).max():.3f}; top intent the same for "
      f"{(pa.argmax(1) == pb.argmax(1)).mean():.4f} of the training examples")
if "--fit-only" in sys.argv:
    sys.exit(0)
dev = cases("dev")
decision = cross_fit.component_config("nlu.abcd.ABCDTriage")
print(f"{len(dev)} development cases, cross-fitted (five folds), bot/config.yml's decision")
for name, fit in FITS.items():
    with mock.patch.object(lbfgs, "fit", fit):
        rankings, colleague = cross_fit.rankings(dev, 5, log=lambda _: None)
    results = [triage.decide(c["text"], r, decision, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
    rep = real_report(dev, results)
    caught = sum(c["label"] == "D" and r["label"] == "D" for c, r in zip(dev, results, strict=True))
    none_to_d = sum(c["label"] is None and r["label"] == "D" for c, r in zip(dev, results, strict=True))
    print(f"{name:12s} macro-F1 {rep['macro_f1']:.3f}  D {caught}/{sum(c['label'] == 'D' for c in dev)}  acute "
          f"{rep['acute_recall']:.3f}  false acute {rep['false_acute']:.3f}  not-an-incident {rep['null_recall']:.3f} "
          f"(taken for D {none_to_d})", flush=True)
