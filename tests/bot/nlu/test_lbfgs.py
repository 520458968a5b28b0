"""The classifier's fit with the sentence embedding kept dense (nlu/lbfgs.py) is scikit-learn's fit. Needs scikit-learn:
`make unit` runs these in the Rasa environment (marker `rasa`)."""

import ctypes
import warnings
from unittest import mock

import numpy as np
import pytest

pytestmark = pytest.mark.rasa

pytest.importorskip("sklearn")  # the Rasa environment
lbfgs = pytest.importorskip("nlu.lbfgs")
embeddings = pytest.importorskip("nlu.embeddings")  # its check for AVX2: the fit's AVX2 loop is tested where there is one
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


@pytest.mark.parametrize("max_iter", [5, 20, 3000])
def test_with_two_classes_it_is_scikit_learns_binomial_fit(max_iter):
    x_sparse, x_dense, labels, weights = problem(classes=2)
    expected, both = sklearn_fit(x_sparse, x_dense, labels, weights, 10.0, max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, max_iter)
    assert fitted.coef_.shape == expected.coef_.shape == (1, both.shape[1])
    assert fitted.intercept_.shape == expected.intercept_.shape == (1,)
    assert fitted.n_iter_.tolist() == expected.n_iter_.tolist()
    scale = np.abs(expected.coef_).max()
    assert np.abs(fitted.coef_ - expected.coef_).max() < 1e-5 * scale
    assert np.abs(fitted.predict_proba(both) - expected.predict_proba(both)).max() < 1e-6
    assert fitted.predict(both).tolist() == expected.predict(both).tolist()


def test_one_class_is_refused():
    x_sparse, x_dense, _, weights = problem(classes=2)
    with pytest.raises(ValueError, match="two classes"):
        lbfgs.fit(x_sparse, x_dense, ["intent_0"] * len(weights), weights, 10.0, 100)


def test_a_feature_that_is_not_a_number_stops_the_fit_as_scikit_learns_does():
    x_sparse, x_dense, labels, weights = problem(classes=3)
    x_dense[7, 3] = np.nan
    with pytest.raises(ValueError):
        lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 100)


def test_weights_of_another_length_are_refused():
    x_sparse, x_dense, labels, weights = problem(classes=3)
    with pytest.raises(ValueError):
        lbfgs.fit(x_sparse, x_dense, labels, weights[:-5], 10.0, 100)


def test_on_step_sees_every_step_and_its_coefficients_are_the_model_stopped_there():
    """docs/experiments/fit-time/steps.py reads the models after fewer steps from one fit: L-BFGS's path does not
    depend on max_iter, so the coefficients at step k are those of the fit stopped at k."""
    x_sparse, x_dense, labels, weights = problem(classes=4)
    seen: dict[int, np.ndarray] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full = lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 20, lambda step, x: seen.setdefault(step, x.copy()))
        stopped = lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 7)
    assert sorted(seen) == list(range(1, 21))
    at_seven = lbfgs.model(full.classes_, seen[7], 7, 10.0, 7)
    assert np.array_equal(at_seven.coef_, stopped.coef_)
    assert np.array_equal(at_seven.intercept_, stopped.intercept_)
    at_twenty = lbfgs.model(full.classes_, seen[20], 20, 10.0, 20)
    assert np.array_equal(at_twenty.coef_, full.coef_)
    assert at_twenty.n_features_in_ == full.n_features_in_


class Counted:
    """The library's functions, each call counted: a test of the C path must see it taken."""

    def __init__(self, library):
        self.calls = {"csr_dense": 0, "add_scaled": 0}
        self._library = library

    def __getattr__(self, name):
        function = getattr(self._library, name)

        def counted(*args):
            self.calls[name] += 1
            return function(*args)

        return counted


def loaded_kernels():
    library = lbfgs._kernels()
    assert library, "models/fit/libfit.so is not built (scripts/build_fit.sh), or MELDHULP_FIT_LIBRARY is empty"
    return library


@pytest.mark.parametrize("k", [1, 3, 4, 5, 7, 8, 9, 26])
def test_the_c_product_is_scipys_bit_for_bit(k):
    """native/fit/fit.c (make unit builds it): the same sums in the same order, in rows with no entry, one or many,
    indices in any stored order, a dense side in float32 or float64, contiguous or not, with any number of columns
    (AVX-512 and AVX2 tails), on this CPU's loop, on the AVX2 loop (where the CPU has AVX2) and on the plain loop."""
    library = loaded_kernels()
    plain = ctypes.CDLL(library._name)  # the same file _kernels() loaded
    plain.csr_dense = plain.csr_dense_plain
    plain.csr_dense.argtypes = library.csr_dense.argtypes
    loops = [library, plain]
    if embeddings._cpu_has_avx2():
        avx2 = ctypes.CDLL(library._name)
        avx2.csr_dense = avx2.csr_dense_avx2
        avx2.csr_dense.argtypes = library.csr_dense.argtypes
        loops.append(avx2)
    rng = np.random.default_rng(k)
    matrix = sparse.random(120, 90, density=0.2, random_state=k, format="csr")
    matrix.data *= 1e3 * rng.standard_normal(matrix.nnz)  # magnitudes far apart: a different order would show
    matrix = (sparse.diags([0.0 if i == 5 else 1.0 for i in range(120)]) @ matrix).tocsr()  # row 5 empty
    matrix.eliminate_zeros()
    shuffled = matrix.copy()
    for i in range(shuffled.shape[0]):  # the stored order of each row, reversed: scipy sums in stored order too
        start, end = shuffled.indptr[i], shuffled.indptr[i + 1]
        shuffled.indices[start:end] = shuffled.indices[start:end][::-1].copy()
        shuffled.data[start:end] = shuffled.data[start:end][::-1].copy()
    for dense in (rng.standard_normal((90, k)), rng.standard_normal((90, k)).astype(np.float32),
                  rng.standard_normal((90, 2 * k))[:, ::2]):
        for m in (matrix, shuffled):
            for kernels in loops:
                counted = Counted(kernels)
                with mock.patch.object(lbfgs, "_library", counted):
                    assert np.array_equal(lbfgs.product(m, dense), m @ dense)
                assert counted.calls["csr_dense"] == 1


def test_add_scaled_is_numpys_bit_for_bit():
    counted = Counted(loaded_kernels())
    rng = np.random.default_rng(7)
    with mock.patch.object(lbfgs, "_library", counted):
        for n in (1, 5, 1001):
            x, y = rng.standard_normal(n) * 1e8, rng.standard_normal(n)
            for a in (0.3, -1.7e-9, 0.0):
                expected, got = y.copy(), y.copy()
                expected -= -a * x  # the two-loop recursion's first loop: q -= alpha * y
                lbfgs.add_scaled(got, a, x)
                assert np.array_equal(got, expected)
                expected, got = y.copy(), y.copy()
                expected += a * x
                lbfgs.add_scaled(got, a, x)
                assert np.array_equal(got, expected)
        assert counted.calls["add_scaled"] == 18
        fortran = np.asfortranarray(rng.standard_normal((3, 4)))  # not a vector: numpy's own step
        expected = fortran + 2.0 * fortran
        lbfgs.add_scaled(fortran, 2.0, fortran.copy())
        assert np.array_equal(fortran, expected)
        assert counted.calls["add_scaled"] == 18


def test_the_fit_is_the_same_with_and_without_the_c_kernels(monkeypatch):
    x_sparse, x_dense, labels, weights = problem(classes=5, rows=400, seed=3)
    counted = Counted(loaded_kernels())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        monkeypatch.setattr(lbfgs, "_library", counted)
        with_c = lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 30)
        monkeypatch.setattr(lbfgs, "_library", False)  # as without the library
        without = lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 30)
    assert counted.calls["csr_dense"] >= 60 and counted.calls["add_scaled"] >= 100  # the C path was taken
    assert np.array_equal(with_c.coef_, without.coef_)
    assert np.array_equal(with_c.intercept_, without.intercept_)


def test_without_the_library_numpys_and_scipys_steps_are_used(monkeypatch):
    monkeypatch.setattr(lbfgs, "_library", None)
    monkeypatch.setenv("MELDHULP_FIT_LIBRARY", "")
    matrix = sparse.random(30, 20, density=0.3, random_state=1, format="csr")
    dense = np.arange(40.0).reshape(20, 2)
    assert lbfgs._kernels() is False
    assert np.array_equal(lbfgs.product(matrix, dense), matrix @ dense)
    y = np.ones(4)
    lbfgs.add_scaled(y, 0.5, np.arange(4.0))
    assert y.tolist() == [1.0, 1.5, 2.0, 2.5]


@pytest.mark.parametrize("content", [b"not a library", None])
def test_a_library_that_cannot_be_used_means_numpys_and_scipys_steps(monkeypatch, tmp_path, caplog, content):
    """A file that is no library, or an old build without add_scaled: a warning and the same fit, not a crash."""
    path = tmp_path / "libfit.so"
    if content is None:  # an old build: csr_dense only
        source = tmp_path / "old.c"
        source.write_text("#include <stdint.h>\nvoid csr_dense(void) {}\n", encoding="utf-8")
        import subprocess

        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(path), str(source)], check=True)
    else:
        path.write_bytes(content)
    monkeypatch.setattr(lbfgs, "_library", None)
    monkeypatch.setenv("MELDHULP_FIT_LIBRARY", str(path))
    x_sparse, x_dense, labels, weights = problem(classes=3, rows=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 5)
    assert lbfgs._library is False
    assert "cannot be used" in caplog.text
    monkeypatch.setattr(lbfgs, "_library", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert np.array_equal(fitted.coef_, lbfgs.fit(x_sparse, x_dense, labels, weights, 10.0, 5).coef_)


def test_without_an_embedding_it_is_scikit_learns_own_fit_on_the_n_grams():
    x_sparse, _, labels, weights = problem(classes=3)
    expected = LogisticRegression(C=10.0, max_iter=100).fit(x_sparse, labels, sample_weight=weights)
    fitted = lbfgs.fit(x_sparse, None, labels, weights, 10.0, 100)
    assert np.array_equal(fitted.coef_, expected.coef_) and np.array_equal(fitted.intercept_, expected.intercept_)
    with pytest.raises(ValueError, match="on_step"):
        lbfgs.fit(x_sparse, None, labels, weights, 10.0, 100, on_step=lambda steps, coef: None)
