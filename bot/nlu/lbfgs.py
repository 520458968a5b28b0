"""scikit-learn's logistic regression (multinomial, or binomial for two classes), fitted with the sentence embedding
kept dense.

`LogisticRegression(C, max_iter).fit(x, y, sample_weight)` (solver L-BFGS) on our features spends most of its time
multiplying the sparse feature matrix, and half of that matrix's entries are the 384 columns of the sentence
embedding: dense numbers stored as 4.9 million sparse entries. `fit` minimises the very same objective with the same
L-BFGS settings as scikit-learn 1.1 (`sklearn.linear_model._logistic._logistic_regression_path`: the sum of
weighted multinomial losses (binomial with two classes: one row of coefficients, P of the second class) plus 1/(2C)
times the squared weights, intercepts not penalised, starting from zero,
`gtol` 1e-4, `maxiter` max_iter), but multiplies the embedding's columns as a dense array, keeps the n-gram matrix's
transpose as rows (scipy multiplies a row-major matrix about twice as fast as a column-major one) and uses both cores
(half the rows, then half the features, each in a thread: the sparse products let go of Python's lock); those
products run in C where it is built (`product`: scipy's own sums, vectorised; on a given machine the same numbers
bit for bit). The result
is a fitted `LogisticRegression`, used and stored as before. Stopped after max_iter steps, as we do, it is not
bit-for-bit scikit-learn's: L-BFGS's steps amplify rounding differences (tests/bot/nlu/test_lbfgs.py: the same
coefficients when both converge; docs/experiments/fit-time/: the time and the cross-fitted development set).
It follows scikit-learn 1.1 (requirements/rasa.lock.txt) and uses two of its private names (the multinomial and the
binomial loss);
later versions scale the objective differently: the tests compare with the installed one.

The minimiser is L-BFGS-B's own algorithm without bounds, written out (`minimize`): scipy's L-BFGS-B spends about a
third of our fit's time in its Fortran bookkeeping for 2.8 million unbounded variables (session 22, on a slow
machine: the whole fit 90 s). Here the same steps take a few numpy vector operations: the quasi-Newton direction of
the last 10 correction pairs (the two-loop recursion, equal to L-BFGS-B's compact form when nothing is bounded), the
first step 1/|d| and later steps 1, MINPACK's line search (`dcsrch`, the one L-BFGS-B calls, with its tolerances),
the same rule for skipping a correction pair, the same stopping tests (largest gradient entry <= gtol, relative
reduction of f <= factr * machine epsilon, max_iter steps). The tests compare the fitted model with scikit-learn's,
early stopped and converged.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
import warnings
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

# L-BFGS-B's settings as scikit-learn 1.1 calls it (scipy.optimize.minimize(method="L-BFGS-B"), options gtol 1e-4,
# maxiter; defaults: 10 correction pairs, ftol 2.22e-9 = factr 1e7 times the machine epsilon, 20 evaluations in a
# line search) and the line search's own (lbfgsb.f, lnsrlb: ftol 1e-3, gtol 0.9, xtol 0.1, the largest step 1e10)
MEMORY, GTOL, FTOL, MAX_LINE_SEARCH = 10, 1e-4, 2.220446049250313e-09, 20
LINE_FTOL, LINE_GTOL, LINE_XTOL, MAX_STEP = 1e-3, 0.9, 0.1, 1e10


def fit(
    x_sparse: Any,
    x_dense: np.ndarray | None,
    y: list[str],
    sample_weight: list[float],
    c: float,
    max_iter: int,
    on_step: Callable[[int, np.ndarray], None] | None = None,
) -> Any:
    """The LogisticRegression(C=c, max_iter=max_iter) that scikit-learn would fit on hstack([x_sparse, x_dense]);
    without an embedding (`x_dense` None) scikit-learn's own fit on x_sparse.

    `on_step(steps, coefficients)` is called after every L-BFGS step with the fit's own array (copy it; do not change
    it): docs/experiments/fit-time/steps.py reads the models after fewer steps from one fit, with `model(...)`."""
    from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils import assert_all_finite
    from sklearn.utils.extmath import squared_norm

    if x_dense is None:
        if on_step is not None:
            raise ValueError("on_step needs the fit with an embedding")
        return LogisticRegression(C=c, max_iter=max_iter).fit(x_sparse, y, sample_weight=sample_weight)
    classes, target = np.unique(np.asarray(y), return_inverse=True)
    if classes.size < 2:
        raise ValueError("the fit needs examples of at least two classes")
    x_sparse = x_sparse.tocsr().astype(np.float64, copy=False)
    x_dense = np.ascontiguousarray(x_dense, dtype=np.float64)
    weights = np.asarray(sample_weight, dtype=np.float64)
    # scikit-learn's own checks (check_array, _check_sample_weight): a NaN in the features would otherwise stop the
    # fit at step 0 with every coefficient zero, a model that predicts nothing, and only a warning we silence
    assert_all_finite(x_sparse.data)
    assert_all_finite(x_dense)
    assert_all_finite(weights)
    if not x_sparse.shape[0] == x_dense.shape[0] == weights.size == target.size:
        raise ValueError("features, sample weights and labels differ in length")
    n_sparse = x_sparse.shape[1]
    rows = (x_sparse[: target.size // 2], x_sparse[target.size // 2 :])
    transposed = x_sparse.T.tocsr()
    columns = (transposed[: n_sparse // 2], transposed[n_sparse // 2 :])
    del x_sparse, transposed  # only the halves are used: one copy of the n-gram matrix each way
    target = target.astype(np.float64)
    n_features = n_sparse + x_dense.shape[1]
    # with two classes scikit-learn fits one binomial model (P(classes[1]) from one row of coefficients), else one
    # row per class; both as `rows` scores per example
    binomial = classes.size == 2
    n_scores = _score_rows(classes)
    loss = HalfBinomialLoss() if binomial else HalfMultinomialLoss(n_classes=n_scores)
    l2 = 1.0 / c

    def loss_gradient(coef: np.ndarray) -> tuple[float, np.ndarray]:
        # coef as scikit-learn ravels it: (n_scores, n_features + 1) in Fortran order, the intercept last
        matrix = coef.reshape((n_scores, -1), order="F")
        w, intercept = matrix[:, :-1], matrix[:, -1]
        w_sparse = np.ascontiguousarray(w[:, :n_sparse].T)
        # the products written in place (the same numbers as np.vstack of them, then + the rest, left to right)
        raw = np.empty((target.size, n_scores))
        products_into(pool, rows, w_sparse, raw)
        raw += x_dense @ w[:, n_sparse:].T
        raw += intercept
        per_sample, grad_per_sample = loss.loss_gradient(
            y_true=target, raw_prediction=raw.reshape(-1) if binomial else raw, sample_weight=weights, n_threads=1
        )
        grad_per_sample = grad_per_sample.reshape((target.size, n_scores))
        flat = np.empty(n_scores * (n_features + 1))  # the gradient raveled in Fortran order, as coef
        grad = flat.reshape((n_scores, -1), order="F")  # a view
        by_feature = grad[:, :n_sparse].T  # (n_sparse, n_scores), row-major: where the column products go
        products_into(pool, columns, grad_per_sample, by_feature)
        grad[:, n_sparse:n_features] = grad_per_sample.T @ x_dense
        add_scaled(flat[: n_scores * n_features], l2, coef[: n_scores * n_features])  # grad[:, :n_features] += l2 * w
        grad[:, -1] = grad_per_sample.sum(axis=0)
        return float(per_sample.sum() + 0.5 * l2 * squared_norm(w)), flat

    start = np.zeros((n_scores, n_features + 1), order="F").ravel(order="F")
    with ThreadPoolExecutor(2) as pool:
        solution, value, steps, converged = minimize(loss_gradient, start, max_iter, on_step)
    if not np.isfinite(value) or not np.all(np.isfinite(solution)):
        raise ValueError("the fit did not give finite coefficients")
    if not converged:
        from sklearn.exceptions import ConvergenceWarning

        # what scikit-learn says when L-BFGS stops at max_iter (ensemble.fit_model silences it: we stop early on purpose)
        warnings.warn(f"lbfgs failed to converge (stopped after {steps} iterations)", ConvergenceWarning, stacklevel=2)
    return model(classes, solution, steps, c, max_iter)


# The fit's heaviest steps in C (native/fit/fit.c, built by scripts/build_fit.sh on x86-64): the n-gram products (scipy's
# own loop, vectorised) and the two-loop recursion's `q += a * x` (numpy's, in one pass): the same operations in the same
# order, so on a given machine the same numbers bit for bit as without the library (tests/bot/nlu/test_lbfgs.py), in
# less time (README "Training"). Without the library (not built, unreadable, not loadable, or MELDHULP_FIT_LIBRARY
# empty) numpy's and scipy's are used, and the log says so.
_LIBRARY = Path(__file__).resolve().parents[2] / "models" / "fit" / "libfit.so"
_library_lock = threading.Lock()
_library: Any = None  # loaded on first use: the ctypes library, or False without it


def _kernels() -> Any:
    global _library
    with _library_lock:
        if _library is None:
            _library = _load(os.environ.get("MELDHULP_FIT_LIBRARY", str(_LIBRARY)))
        return _library


def _load(path: str) -> Any:
    """The library with its two functions typed, or False (logged) when there is none to use."""
    if not path or not os.access(path, os.R_OK):
        logger.info("the fit's C kernels are not built (%s): numpy's and scipy's steps, the same numbers, slower", path)
        return False
    try:
        library = ctypes.CDLL(path)  # CDLL: a call lets go of Python's lock (the products run in two threads)
        pointer = ctypes.c_void_p
        library.csr_dense.argtypes = [ctypes.c_int64, pointer, pointer, pointer, pointer, ctypes.c_int64, pointer]
        library.csr_dense.restype = None
        library.add_scaled.argtypes = [ctypes.c_int64, ctypes.c_double, pointer, pointer]
        library.add_scaled.restype = None
    except (OSError, AttributeError) as error:  # not a library, or an old build without a function
        logger.warning("the fit's C kernels in %s cannot be used (%s): numpy's and scipy's steps instead", path, error)
        return False
    logger.info("the fit's C kernels: %s", path)
    return library


def product(matrix: Any, dense: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """`matrix @ dense` for a CSR matrix of float64 numbers and a 2-D `dense`, as scipy computes it; into `out` when
    given (a row-major float64 array of the product's shape)."""
    library = _kernels()
    if out is None:
        out = np.empty((matrix.shape[0], dense.shape[1]))
    if (not library or matrix.format != "csr" or matrix.dtype != np.float64 or matrix.indices.dtype != np.int32
            or matrix.indptr.dtype != np.int32 or matrix.shape[1] != dense.shape[0]
            or not all(a.flags.aligned for a in (matrix.indptr, matrix.indices, matrix.data))
            or out.shape != (matrix.shape[0], dense.shape[1]) or out.dtype != np.float64
            or not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned)):
        out[...] = matrix @ dense
        return out
    x = np.ascontiguousarray(dense, dtype=np.float64)
    indptr, indices, data = (np.ascontiguousarray(a) for a in (matrix.indptr, matrix.indices, matrix.data))
    library.csr_dense(matrix.shape[0], indptr.ctypes.data, indices.ctypes.data, data.ctypes.data, x.ctypes.data,
                      x.shape[1], out.ctypes.data)
    return out


def products_into(pool: ThreadPoolExecutor, parts: tuple, dense: np.ndarray, out: np.ndarray) -> None:
    """`product(part, dense)` of each part (the rows of one matrix, split), written one after the other into `out`'s
    rows, each part in a thread of `pool`."""
    split = np.split(out, np.cumsum([part.shape[0] for part in parts])[:-1])
    list(pool.map(lambda pair: product(pair[0], dense, pair[1]), zip(parts, split, strict=True)))


def add_scaled(y: np.ndarray, a: float, x: np.ndarray) -> None:
    """y += a * x in place, as numpy computes it (y and x: contiguous float64 vectors of one length)."""
    library = _kernels()
    if (library and y.dtype == x.dtype == np.float64 and y.ndim == x.ndim == 1 and y.size == x.size
            and y.flags.c_contiguous and y.flags.writeable and y.flags.aligned and x.flags.c_contiguous and x.flags.aligned):
        library.add_scaled(y.size, a, x.ctypes.data, y.ctypes.data)
    else:
        y += a * x


def model(classes: np.ndarray, solution: np.ndarray, steps: int, c: float, max_iter: int) -> Any:
    """The fitted LogisticRegression with the coefficients `solution` (as `fit` minimises them: Fortran order, the
    intercepts last)."""
    from sklearn.linear_model import LogisticRegression

    coef = solution.reshape((_score_rows(classes), -1), order="F")
    fitted = LogisticRegression(C=c, max_iter=max_iter)
    fitted.classes_ = classes
    fitted.coef_ = np.ascontiguousarray(coef[:, :-1])
    fitted.intercept_ = coef[:, -1].copy()
    fitted.n_iter_ = np.array([steps], dtype=np.int32)
    fitted.n_features_in_ = fitted.coef_.shape[1]
    return fitted


def _score_rows(classes: np.ndarray) -> int:
    """The rows of coefficients scikit-learn fits: one for two classes (binomial), else one per class."""
    return 1 if classes.size == 2 else classes.size


def minimize(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x: np.ndarray,
    max_iter: int,
    on_step: Callable[[int, np.ndarray], None] | None = None,
) -> tuple[np.ndarray, float, int, bool]:
    """L-BFGS-B without bounds (module docstring): (x, f(x), steps taken, converged); on_step(steps, x) after each."""
    from scipy.optimize import _minpack2

    value, gradient = fun(x)
    pairs: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=MEMORY)
    theta, steps = 1.0, 0
    while steps < max_iter:
        if _largest(gradient) <= GTOL:
            return x, value, steps, True
        direction = -_two_loop(gradient, pairs, theta)
        slope = float(gradient @ direction)
        # the first step (and the first after the memory is dropped) is 1/|d|, as L-BFGS-B's lnsrlb
        step = min(1.0 / float(np.linalg.norm(direction)), MAX_STEP) if not pairs else 1.0
        found = _line_search(fun, x, value, gradient, direction, slope, step, _minpack2.dcsrch)
        if found is None:
            if not pairs:  # L-BFGS-B stops ("ABNORMAL_TERMINATION_IN_LNSRCH") when even steepest descent fails
                return x, value, steps, False
            pairs.clear()  # L-BFGS-B drops its memory and starts again from steepest descent
            theta = 1.0
            continue
        new_x, new_value, new_gradient, step = found
        s, y = new_x - x, new_gradient - gradient
        sy = float(s @ y)
        if sy > np.finfo(float).eps * (-step * slope):  # else L-BFGS-B skips the update
            pairs.append((s, y, 1.0 / sy))
            theta = float(y @ y) / sy
        reduction = (value - new_value) / max(abs(value), abs(new_value), 1.0)
        x, value, gradient = new_x, new_value, new_gradient
        steps += 1
        if on_step is not None:
            on_step(steps, x)
        if reduction <= FTOL:
            return x, value, steps, True
    return x, value, steps, bool(_largest(gradient) <= GTOL)


def _largest(vector: np.ndarray) -> float:
    """The largest absolute entry (np.abs(vector).max() without its temporary copy of 29 MB)."""
    return float(max(vector.max(), -vector.min()))


def _two_loop(gradient: np.ndarray, pairs: deque, theta: float) -> np.ndarray:
    """The inverse quasi-Newton matrix of the correction pairs (initial scale 1/theta) times the gradient."""
    q = gradient.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        alpha = rho * float(s @ q)
        alphas.append(alpha)
        add_scaled(q, -alpha, y)  # q -= alpha * y (the negation is exact)
    q /= theta
    for (s, y, rho), alpha in zip(pairs, reversed(alphas), strict=True):
        add_scaled(q, alpha - rho * float(y @ q), s)
    return q


def _line_search(fun, x, value, gradient, direction, slope, step, dcsrch):
    """MINPACK's dcsrch along `direction` from `x`: (x, f, gradient, step) where it stops, None when it fails."""
    isave, dsave = np.zeros(2, np.intc), np.zeros(13, float)
    task = b"START"
    f, g, d_slope = value, gradient, slope
    new_x = x
    for _ in range(MAX_LINE_SEARCH + 1):
        step, _f, _slope, task = dcsrch(step, f, d_slope, LINE_FTOL, LINE_GTOL, LINE_XTOL, task, 0.0, MAX_STEP, isave, dsave)
        if task[:2] != b"FG":
            break
        new_x = x + step * direction
        f, g = fun(new_x)
        d_slope = float(g @ direction)
    else:
        return None  # more than 20 evaluations
    if task[:4] not in (b"CONV", b"WARN") or new_x is x:
        return None
    return new_x, f, g, step
