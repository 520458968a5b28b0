"""Round 13: a faster fit of the classifier at the same quality? (cross-fitting on dev, as round 12's tuner)

Each setting of the n-gram features: the time of one fit on all training examples (train + dev, as `make train`
fits it), the number of features and of non-zeros, and the D-threshold curve of the cross-fitted dev cases (five
folds by source; each fold scored by a model fitted on the training examples and the other folds).
Run: .venv-rasa/bin/python docs/experiments/fit-time/fit_time.py [--fit-only] NAME [NAME ...]   (NAME from SETTINGS)
(--fit-only: only the one fit's time, features and non-zeros; time it on an otherwise idle machine.)
"""
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "second-signal"))
import r9  # noqa: E402  (the round 9 harness: shipped features, classifier, decision and report)

sys.path.insert(0, str(r9.ROOT / "scripts"))
from real_data import intent_of  # noqa: E402
from real_sources import fold_of  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_union  # noqa: E402

# name: (word n-grams, char_wb n-grams, min_df, max_iter)
SETTINGS = {
    "round12": ((1, 2), (2, 5), 2, 100),  # shipped until round 12; round 13 ships char3-5
    "char3-5": ((1, 2), (3, 5), 2, 100),
    "char2-4": ((1, 2), (2, 4), 2, 100),
    "min_df3": ((1, 2), (2, 5), 3, 100),
    "min_df5": ((1, 2), (2, 5), 5, 100),
    "char3-5_min_df3": ((1, 2), (3, 5), 3, 100),
}


def fit(base, setting):
    words, chars, min_df, max_iter = setting
    texts = [t for t, _, _ in base]
    ng = make_union(TfidfVectorizer(analyzer="word", ngram_range=words, sublinear_tf=True, min_df=min_df),
                    TfidfVectorizer(analyzer="char_wb", ngram_range=chars, sublinear_tf=True, min_df=min_df)).fit(texts)
    X = sparse.hstack([ng.transform(texts), sparse.csr_matrix(r9.embed(texts) * 1.5)], format="csr")
    t0 = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(C=10.0, max_iter=max_iter).fit(
            X, [i for _, i, _ in base], sample_weight=[4.0 if r else 1.0 for _, _, r in base])
    return ng, clf, X, time.time() - t0


def ranks(model, texts):
    ng, clf, _, _ = model
    X = sparse.hstack([ng.transform(texts), sparse.csr_matrix(r9.embed(texts) * 1.5)], format="csr")
    return r9.ranks_from(clf.classes_, clf.predict_proba(X))


base, dev, _ = r9.load_all()
K = 5
fold = [fold_of(c["source"], K) for c in dev]
texts = [c["text"] for c in dev]
everything = base + [(c["text"], intent_of(c), True) for c in dev]
fit_only = "--fit-only" in sys.argv
for name in [a for a in sys.argv[1:] if a != "--fit-only"]:
    setting = SETTINGS[name]
    _, _, X, seconds = fit(everything, setting)
    print(f"{name}: one fit on {len(everything)} examples {seconds:.1f} s, {X.shape[1]} features, "
          f"{X.nnz / X.shape[0]:.0f} non-zeros a row", flush=True)
    if fit_only:
        continue
    oof = [None] * len(dev)
    for k in range(K):
        extra = [(c["text"], intent_of(c), True) for c, f in zip(dev, fold, strict=True) if f != k]
        model = fit(base + extra, setting)
        idx = [i for i, f in enumerate(fold) if f == k]
        for i, r in zip(idx, ranks(model, [texts[i] for i in idx]), strict=True):
            oof[i] = r
    r9.curve(dev, oof, label=f"{name:16s}")
    r9.summary(dev, r9.decide_all(dev, oof), f"{name}, shipped decision")
