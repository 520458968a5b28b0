"""scikit-learn's multinomial logistic regression, fitted with the sentence embedding kept dense.

`LogisticRegression(C, max_iter).fit(x, y, sample_weight)` (solver L-BFGS) on our features spends most of its time
multiplying the sparse feature matrix, and half of that matrix's entries are the 384 columns of the sentence
embedding: dense numbers stored as 4.9 million sparse entries. `fit` minimises the very same objective with the same
L-BFGS settings as scikit-learn 1.1 (`sklearn.linear_model._logistic._logistic_regression_path`: the sum of
weighted multinomial losses plus 1/(2C) times the squared weights, intercepts not penalised, starting from zero,
`gtol` 1e-4, `maxiter` max_iter), but multiplies the embedding's columns as a dense array, keeps the n-gram matrix's
transpose as rows (scipy multiplies a row-major matrix about twice as fast as a column-major one) and uses both cores
(half the rows, then half the features, each in a thread: scipy's sparse products let go of Python's lock). The result
is a fitted `LogisticRegression`, used and stored as before. Stopped after max_iter steps, as we do, it is not
bit-for-bit scikit-learn's: L-BFGS's steps amplify rounding differences (tests/bot/nlu/test_lbfgs.py: the same
coefficients when both converge; docs/experiments/fit-time/: the time and the cross-fitted development set).
It follows scikit-learn 1.1 (requirements/rasa.lock.txt) and uses two of its private names (the multinomial loss and
the convergence check); later versions scale the objective differently: the tests compare with the installed one.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np


def fit(x_sparse: Any, x_dense: np.ndarray, y: list[str], sample_weight: list[float], c: float, max_iter: int) -> Any:
    """The LogisticRegression(C=c, max_iter=max_iter) that scikit-learn would fit on hstack([x_sparse, x_dense])."""
    from scipy import optimize
    from sklearn._loss.loss import HalfMultinomialLoss
    from sklearn.linear_model import LogisticRegression
    from sklearn.linear_model._logistic import _check_optimize_result
    from sklearn.utils import assert_all_finite
    from sklearn.utils.extmath import squared_norm

    classes, target = np.unique(np.asarray(y), return_inverse=True)
    if classes.size < 3:  # scikit-learn fits one binomial model then, not this multinomial one
        from scipy import sparse

        both = sparse.hstack([x_sparse, sparse.csr_matrix(x_dense)], format="csr")
        return LogisticRegression(C=c, max_iter=max_iter).fit(both, y, sample_weight=sample_weight)
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
    n_classes, n_features = classes.size, n_sparse + x_dense.shape[1]
    loss = HalfMultinomialLoss(n_classes=n_classes)
    l2 = 1.0 / c

    def loss_gradient(coef: np.ndarray) -> tuple[float, np.ndarray]:
        # coef as scikit-learn ravels it: (n_classes, n_features + 1) in Fortran order, the intercept last
        matrix = coef.reshape((n_classes, -1), order="F")
        w, intercept = matrix[:, :-1], matrix[:, -1]
        w_sparse = w[:, :n_sparse].T
        raw = np.vstack(list(pool.map(lambda part: part @ w_sparse, rows))) + x_dense @ w[:, n_sparse:].T + intercept
        per_sample, grad_per_sample = loss.loss_gradient(
            y_true=target, raw_prediction=raw, sample_weight=weights, n_threads=1
        )
        grad = np.empty((n_classes, n_features + 1), order="F")
        grad[:, :n_sparse] = np.vstack(list(pool.map(lambda part: part @ grad_per_sample, columns))).T
        grad[:, n_sparse:n_features] = grad_per_sample.T @ x_dense
        grad[:, :n_features] += l2 * w
        grad[:, -1] = grad_per_sample.sum(axis=0)
        return float(per_sample.sum() + 0.5 * l2 * squared_norm(w)), grad.ravel(order="F")

    start = np.zeros((n_classes, n_features + 1), order="F").ravel(order="F")
    with ThreadPoolExecutor(2) as pool:
        result = optimize.minimize(
            loss_gradient, start, method="L-BFGS-B", jac=True, options={"iprint": -1, "gtol": 1e-4, "maxiter": max_iter}
        )
    if not np.isfinite(result.fun) or not np.all(np.isfinite(result.x)):
        raise ValueError(f"the fit did not give finite coefficients: {result.message}")
    steps = _check_optimize_result("lbfgs", result, max_iter)  # warns (ConvergenceWarning) when stopped early
    coef = result.x.reshape((n_classes, -1), order="F")
    model = LogisticRegression(C=c, max_iter=max_iter)
    model.classes_ = classes
    model.coef_ = np.ascontiguousarray(coef[:, :-1])
    model.intercept_ = coef[:, -1].copy()
    model.n_iter_ = np.array([steps], dtype=np.int32)
    model.n_features_in_ = n_features
    return model
