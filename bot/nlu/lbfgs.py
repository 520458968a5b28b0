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
    from sklearn.utils.extmath import squared_norm

    classes, target = np.unique(np.asarray(y), return_inverse=True)
    if classes.size < 3:  # scikit-learn fits one binomial model then, not this multinomial one
        from scipy import sparse

        both = sparse.hstack([x_sparse, sparse.csr_matrix(x_dense)], format="csr")
        return LogisticRegression(C=c, max_iter=max_iter).fit(both, y, sample_weight=sample_weight)
    x_sparse = x_sparse.tocsr().astype(np.float64)
    x_dense = np.ascontiguousarray(x_dense, dtype=np.float64)
    half_rows, half_features = x_sparse.shape[0] // 2, x_sparse.shape[1] // 2
    rows = (x_sparse[:half_rows], x_sparse[half_rows:])
    transposed = x_sparse.T.tocsr()
    columns = (transposed[:half_features], transposed[half_features:])
    target = target.astype(np.float64)
    weights = np.asarray(sample_weight, dtype=np.float64)
    n_classes, n_sparse = classes.size, x_sparse.shape[1]
    n_features = n_sparse + x_dense.shape[1]
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
    steps = _check_optimize_result("lbfgs", result, max_iter)  # warns (ConvergenceWarning) when stopped early
    coef = result.x.reshape((n_classes, -1), order="F")
    model = LogisticRegression(C=c, max_iter=max_iter)
    model.classes_ = classes
    model.coef_ = np.ascontiguousarray(coef[:, :-1])
    model.intercept_ = coef[:, -1].copy()
    model.n_iter_ = np.array([steps], dtype=np.int32)
    model.n_features_in_ = n_features
    return model
