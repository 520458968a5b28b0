"""Session 24: the classifier's fit with its kernels in C (native/fit/fit.c) against numpy's and scipy's own steps.

One fit on all training examples (bot/data/nlu, as `make train` fits them) each way, alternately, with the shipped
n-grams and settings; the sentence embedding is replaced by random unit rows of the same shape (it is multiplied the
same way in both; e5 would add two minutes and change nothing here). Prints the seconds of each fit and whether the
coefficients are the same bit for bit. Run (Rasa environment, repository root, after scripts/build_fit.sh):
    .venv-rasa/bin/python docs/experiments/fit-time/c_kernels.py [rounds]
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
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from nlu import ensemble, lbfgs  # noqa: E402

warnings.simplefilter("ignore", ConvergenceWarning)
config = {**ensemble.TextLogisticRegression.get_default_config(), **cross_fit.component_config(cross_fit.CLASSIFIER)}
examples = cross_fit.training_examples()
texts = [m.get("text") for m in examples]
labels = [m.get("intent") for m in examples]
weights = [config["real_weight"] if ensemble.is_real_world(m) else 1.0 for m in examples]
x_sparse = ensemble._ngrams(config).fit_transform(texts)
rng = np.random.default_rng(0)
x_dense = rng.standard_normal((len(texts), 384)).astype(np.float32)
x_dense *= config["e5_scale"] / np.linalg.norm(x_dense, axis=1, keepdims=True)
assert lbfgs._kernels(), "build the library first: scripts/build_fit.sh"
print(f"{len(texts)} examples, {x_sparse.shape[1]} n-gram columns, {x_sparse.nnz} non-zeros", flush=True)
fitted = {}
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 1):
    for name, library in (("numpy and scipy", False), ("C", lbfgs._kernels())):
        with mock.patch.object(lbfgs, "_library", library):
            started = time.perf_counter()
            fitted[name] = lbfgs.fit(x_sparse, x_dense, labels, weights, config["C"], config["max_iter"])
        print(f"{name}: one fit {time.perf_counter() - started:.1f} s, {int(fitted[name].n_iter_[0])} L-BFGS steps", flush=True)
same = np.array_equal(fitted["C"].coef_, fitted["numpy and scipy"].coef_) and np.array_equal(
    fitted["C"].intercept_, fitted["numpy and scipy"].intercept_)
print(f"the same coefficients bit for bit: {same}")
