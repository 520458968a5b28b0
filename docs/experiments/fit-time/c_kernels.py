"""Session 24: the classifier's fit with its kernels in C (native/fit/fit.c) against numpy's and scipy's own steps.

One fit on all training examples (bot/data/nlu, as `make train` fits them) each way, alternately, with the shipped
n-grams and settings; the sentence embedding is replaced by random unit rows of the same shape (it is multiplied the
same way in both; e5 would add two minutes and change nothing here). Prints the seconds of each fit and whether the
coefficients are the same bit for bit. With `--against REV` also the fit of bot/nlu/lbfgs.py as it was at git revision
REV (e.g. 551b65d, before the kernels: the fit the round-20 model was trained and tuned with). Run (Rasa environment,
repository root, after scripts/build_fit.sh):
    .venv-rasa/bin/python docs/experiments/fit-time/c_kernels.py [rounds] [--against REV]
"""
import importlib.util
import subprocess
import sys
import tempfile
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
args = [a for a in sys.argv[1:] if not a.startswith("--")]
against = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None
if against:
    args.remove(against)
fits = {"numpy and scipy": lambda *a: mock_fit(False, *a), "C": lambda *a: mock_fit(lbfgs._kernels(), *a)}


def mock_fit(library, *a):
    with mock.patch.object(lbfgs, "_library", library):
        return lbfgs.fit(*a)


if against:
    source = subprocess.run(["git", "show", f"{against}:bot/nlu/lbfgs.py"], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as file:
        file.write(source)
    spec = importlib.util.spec_from_file_location("lbfgs_then", file.name)
    then = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(then)
    fits[f"lbfgs.py of {against}"] = then.fit
fitted = {}
for _ in range(int(args[0]) if args else 1):
    for name, fit in fits.items():
        started = time.perf_counter()
        fitted[name] = fit(x_sparse, x_dense, labels, weights, config["C"], config["max_iter"])
        print(f"{name}: one fit {time.perf_counter() - started:.1f} s, {int(fitted[name].n_iter_[0])} L-BFGS steps", flush=True)
for name in fitted:
    same = np.array_equal(fitted["C"].coef_, fitted[name].coef_) and np.array_equal(fitted["C"].intercept_,
                                                                                    fitted[name].intercept_)
    print(f"C and {name}: the same coefficients bit for bit: {same}")
