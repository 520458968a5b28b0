"""The classifier's fit with the sentence embedding kept dense (nlu/lbfgs.py) is scikit-learn's fit. Needs scikit-learn:
`make unit` runs these in the Rasa environment (marker `rasa`)."""

import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.rasa

pytest.importorskip("sklearn")  # the Rasa environment
lbfgs = pytest.importorskip("nlu.lbfgs")
from scipy import sparse  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


def problem(classes: int, rows: int = 300, seed: int = 0):
    """Sparse n-gram-like columns, dense embedding-like columns, labels that depend on both, uneven weights."""
    rng = np.random.default_rng(seed)
    x_sparse = sparse.random(rows, 200, density=0.05, random_state=seed, format="csr")
    x_dense = rng.normal(size=(rows, 16)).astype(np.float32) * 1.5
    signal = x_sparse @ rng.normal(size=(200, classes)) + x_dense @ rng.normal(size=(16, classes))
    labels = [f"intent_{k}" for k in np.argmax(signal + rng.normal(size=signal.shape), axis=1)]
    weights = [4.0 if i % 3 == 0 else 1.0 for i in range(rows)]
    return x_sparse, x_dense, labels, weights


def sklearn_fit(x_sparse, x_dense, labels, weights, c, max_iter):
    both = sparse.hstack([x_sparse, sparse.csr_matrix(x_dense)], format="csr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(C=c, max_iter=max_iter).fit(both, labels, sample_weight=weights), both


@pytest.mark.parametrize("max_iter", [5, 20, 100, 3000])
def test_the_same_model_as_scikit_learns_fit_early_stopped_and_converged(max_iter):
    x_sparse, x_dense, labels, weights = problem(classes=4)
    expected, both = sklearn_fit(x_sparse, x_dense, labels, weights, 10.0, max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, max_iter)
    assert list(fitted.classes_) == list(expected.classes_)
    assert fitted.n_iter_.tolist() == expected.n_iter_.tolist()
    scale = np.abs(expected.coef_).max()
    assert np.abs(fitted.coef_ - expected.coef_).max() < 1e-5 * scale
    assert np.abs(fitted.intercept_ - expected.intercept_).max() < 1e-5 * scale
    assert np.abs(fitted.predict_proba(both) - expected.predict_proba(both)).max() < 1e-6
    assert fitted.predict(both).tolist() == expected.predict(both).tolist()


def test_stopped_early_it_warns_as_scikit_learn_does():
    x_sparse, x_dense, labels, weights = problem(classes=3)
    with pytest.warns(ConvergenceWarning):
        lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 3)


def test_with_two_classes_it_is_scikit_learns_own_binomial_fit():
    x_sparse, x_dense, labels, weights = problem(classes=2)
    expected, both = sklearn_fit(x_sparse, x_dense, labels, weights, 10.0, 3000)
    fitted = lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 3000)
    assert fitted.coef_.shape == expected.coef_.shape == (1, both.shape[1])
    assert np.allclose(fitted.predict_proba(both), expected.predict_proba(both))


def test_a_feature_that_is_not_a_number_stops_the_fit_as_scikit_learns_does():
    x_sparse, x_dense, labels, weights = problem(classes=3)
    x_dense[7, 3] = np.nan
    with pytest.raises(ValueError):
        lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 100)


def test_weights_of_another_length_are_refused():
    x_sparse, x_dense, labels, weights = problem(classes=3)
    with pytest.raises(ValueError):
        lbfgs.fit(x_sparse, x_dense, labels, weights[:-5], 10.0, 100)
