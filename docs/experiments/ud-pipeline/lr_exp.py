import sys, json, collections
sys.path.insert(0, "var/exp"); sys.path.insert(0, "bot"); sys.path.insert(0, "scripts")
import harness as h
import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from nlu import ensemble, triage
from evaluate_nlu import real_report
import real_data

def fit(examples, scale, C=30.0):
    texts = [t for t, _ in examples]; y = [i for _, i in examples]
    ng = ensemble._ngrams({"min_df": 2}).fit(texts)
    X = ng.transform(texts)
    if scale: X = sparse.hstack([X, sparse.csr_matrix(h.embed(texts) * scale)], format="csr")
    clf = LogisticRegression(C=C, max_iter=3000).fit(X, y)
    return ng, clf

def rank(model, texts, scale):
    ng, clf = model
    X = ng.transform(texts)
    if scale: X = sparse.hstack([X, sparse.csr_matrix(h.embed(texts) * scale)], format="csr")
    P = clf.predict_proba(X)
    return [sorted(zip(clf.classes_, row), key=lambda x: -x[1]) for row in P]

def run(examples, dev, scale, cfg=None, C=30.0, label=""):
    m = fit(examples, scale, C)
    ranks = rank(m, [c["text"] for c in dev], scale)
    results = [triage.decide(c["text"], r, cfg) for c, r in zip(dev, ranks)]
    rep = real_report(dev, results)
    print(f"{label:40s} F1(A-D) {rep['macro_f1']:.3f} F1(5) {rep['macro_f1_with_null']:.3f} Drec {rep['d_recall']:.3f} acute {rep['acute_recall']:.3f} fa {rep['false_acute']:.3f} null {rep['null_recall']:.3f} coll {rep['colleague_recall']:.2f}/{rep['colleague_false']:.2f}")
    return rep, results, ranks

if __name__ == "__main__":
    base = h.training_examples()
    base = [(t, i) for t, i in base]
    dev = h.load_jsonl(*sorted(__import__("glob").glob("tests/nlu/real/dev*.jsonl")))
    print("dev", len(dev), collections.Counter(c["label"] for c in dev), "acute", sum(c["acute"] for c in dev))
    real = [(c["text"], real_data.intent_of(c)) for c in real_data.cases("train")]
    print("real train", len(real))
    for scale in (0, 1.0, 2.0):
        run(base, dev, scale, label=f"base scale={scale}")
    for scale in (0, 1.0, 2.0):
        run(base + real, dev, scale, label=f"base+real scale={scale}")
