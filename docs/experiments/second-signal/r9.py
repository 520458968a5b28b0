"""Round 9 experiments (docs/experiments/second-signal/README.md): the shipped LR and candidate second signals, scored on dev."""
import sys, json, glob, pickle, time, os, re
ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]; sys.path.insert(0, str(ROOT / "bot")); sys.path.insert(0, str(ROOT / "scripts"))
from pathlib import Path
import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from nlu import ensemble, triage, embeddings
from evaluate_nlu import real_report
import cross_fit, real_data

ROOT = Path(__file__).resolve().parents[3]
import functools
from nlu import cues as _cues
for _n in ("find_cues", "is_acute", "is_colleague", "is_happening_now", "is_persistent", "medium"):
    setattr(_cues, _n, functools.lru_cache(maxsize=None)(getattr(_cues, _n)))
_fc = _cues.find_cues
_cues.find_cues = lambda text: list(_fc(text))
CFG = cross_fit.component_config("nlu.abcd.ABCDTriage")
CACHE = ROOT / "var/exp/e5r9.pkl"
_cache = pickle.loads(CACHE.read_bytes()) if CACHE.exists() else {}

def embed(texts):
    missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    if missing:
        vecs = embeddings.embed(missing)
        for t, v in zip(missing, vecs):
            _cache[t] = v
        CACHE.write_bytes(pickle.dumps(_cache))
    return np.vstack([_cache[t] if t else np.zeros(384, np.float32) for t in texts])

def training_examples():
    """The training examples without the dev cases (from round 12 they are in bot/data/nlu too): dev stays held out."""
    dev = {real_data.one_line(c["text"]) for c in dev_cases()}
    return [(m.get("text"), m.get("intent"), ensemble.is_real_world(m)) for m in cross_fit.training_examples()
            if real_data.one_line(m.get("text")) not in dev]

def dev_cases():
    return real_data.read_jsonl(*sorted(ROOT.glob("tests/nlu/real/dev*.jsonl")))

def train_real():
    return real_data.read_jsonl(*sorted(ROOT.glob("tests/nlu/real/train*.jsonl")))

def load_all():
    p = ROOT / "var/exp/r9_data.pkl"
    if p.exists():
        return pickle.loads(p.read_bytes())
    d = (training_examples(), dev_cases(), train_real())
    p.write_bytes(pickle.dumps(d))
    return d

def fit_lr(base, C=10.0, w=4.0, scale=1.5, it=100, extra=None):
    texts = [t for t, _, _ in base]; y = [i for _, i, _ in base]
    ng = ensemble._ngrams({"min_df": 2}).fit(texts)
    blocks = [ng.transform(texts), sparse.csr_matrix(embed(texts) * scale)]
    if extra: blocks.append(sparse.csr_matrix(extra(texts)))
    X = sparse.hstack(blocks, format="csr")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(C=C, max_iter=it).fit(X, y, sample_weight=[w if r else 1.0 for _, _, r in base])
    return ng, clf, scale, extra

def proba_lr(m, texts):
    ng, clf, scale, extra = m
    blocks = [ng.transform(texts), sparse.csr_matrix(embed(texts) * scale)]
    if extra: blocks.append(sparse.csr_matrix(extra(texts)))
    return clf.classes_, clf.predict_proba(sparse.hstack(blocks, format="csr"))

def ranks_from(classes, P):
    return [sorted(zip(classes, row), key=lambda x: -x[1]) for row in P]

def decide_all(dev, ranks, cfg=None):
    return [triage.decide(c["text"], r, {**CFG, **(cfg or {})}) for c, r in zip(dev, ranks)]

def summary(dev, results, label=""):
    rep = real_report(dev, results)
    print(f"{label:40s} F1 {rep['macro_f1']:.3f} Drec {rep['d_recall']:.3f} acute {rep['acute_recall']:.3f} fa {rep['false_acute']:.3f} null {rep['null_recall']:.3f}", flush=True)
    return rep

def curve(dev, ranks, thresholds=(0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3), label="", cfg=None):
    out = []
    for t in thresholds:
        rep = real_report(dev, decide_all(dev, ranks, {**(cfg or {}), "d_threshold": t}))
        out.append((t, rep["macro_f1"], rep["d_recall"], rep["null_recall"]))
    print(label, " ".join(f"{t}:{f:.3f}/{d:.3f}/{n:.2f}" for t, f, d, n in out), flush=True)
    return out
