"""Issue 9 item 2: do lemmas from a UD-trained Dutch pipeline help the intent LR? Dev sets only."""
import sys, glob, time, json, random, collections, os
os.chdir("/work/main")
sys.path.insert(0, "var/exp"); sys.path.insert(0, "bot"); sys.path.insert(0, "scripts")
import harness as h
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_union
from sklearn.linear_model import LogisticRegression
from nlu import ensemble, triage
from evaluate_nlu import real_report
import spacy

MODEL = sys.argv[1] if len(sys.argv) > 1 else "var/ud/model/model-best"
SCALE, C = 1.5, 10.0

ex = h.training_examples()
dev = h.load_jsonl(*sorted(glob.glob("tests/nlu/real/dev*.jsonl")))
texts = [t for t, _ in ex]; y = [i for _, i in ex]; dtexts = [c["text"] for c in dev]
print("train examples", len(ex), "intents", len(set(y)), "dev cases", len(dev))

def lemmatize(nlp, ts, label):
    t0 = time.perf_counter()
    out = [" ".join(tok.lemma_.lower() for tok in d if not tok.is_space) for d in nlp.pipe(ts, batch_size=64)]
    dt = time.perf_counter() - t0
    print(f"{label}: {len(ts)} texts in {dt:.1f}s = {1000*dt/len(ts):.2f} ms/text (batched)")
    return out

ud = spacy.load(MODEL)
look = spacy.load("models/spacy-nl")
# per-text latency, one call per text as the bot would (nice'd, shared cores)
t0 = time.perf_counter()
for t in dtexts: ud(t)
print(f"UD pipeline single-call latency: {1000*(time.perf_counter()-t0)/len(dtexts):.2f} ms/text (dev texts, mean {np.mean([len(t.split()) for t in dtexts]):.1f} words)")
t0 = time.perf_counter()
for t in dtexts: look(t)
print(f"lookup pipeline single-call latency: {1000*(time.perf_counter()-t0)/len(dtexts):.2f} ms/text")
L = {"ud": (lemmatize(ud, texts, "UD train"), lemmatize(ud, dtexts, "UD dev")),
     "lookup": (lemmatize(look, texts, "lookup train"), lemmatize(look, dtexts, "lookup dev"))}
for i in range(3):
    print("  ", dtexts[i][:80], "\n   UD:", L["ud"][1][i][:80], "\n   LK:", L["lookup"][1][i][:80])

def vec(analyzer, ng):
    return TfidfVectorizer(analyzer=analyzer, ngram_range=ng, sublinear_tf=True, min_df=2)

def build(variant, lem_train, lem_dev):
    if variant == "a":
        u = ensemble._ngrams({"min_df": 2}).fit(texts); return u.transform(texts), u.transform(dtexts)
    if variant == "b":
        u = ensemble._ngrams({"min_df": 2}).fit(texts); v = vec("word", (1, 2)).fit(lem_train)
        return (sparse.hstack([u.transform(texts), v.transform(lem_train)], format="csr"),
                sparse.hstack([u.transform(dtexts), v.transform(lem_dev)], format="csr"))
    if variant == "c":  # lemma word n-grams instead of raw word n-grams, raw char n-grams kept
        c = vec("char_wb", (2, 5)).fit(texts); v = vec("word", (1, 2)).fit(lem_train)
        return (sparse.hstack([c.transform(texts), v.transform(lem_train)], format="csr"),
                sparse.hstack([c.transform(dtexts), v.transform(lem_dev)], format="csr"))

E_tr, E_dev = h.embed(texts) * SCALE, h.embed(dtexts) * SCALE
def run(variant, lem=None, label=""):
    lt, ld = L[lem] if lem else (None, None)
    Xtr, Xdev = build(variant, lt, ld)
    Xtr = sparse.hstack([Xtr, sparse.csr_matrix(E_tr)], format="csr"); Xdev = sparse.hstack([Xdev, sparse.csr_matrix(E_dev)], format="csr")
    clf = LogisticRegression(C=C, max_iter=3000).fit(Xtr, y)
    P = clf.predict_proba(Xdev)
    ranks = [sorted(zip(clf.classes_, row), key=lambda x: -x[1]) for row in P]
    res = [triage.decide(t, r, None) for t, r in zip(dtexts, ranks)]
    rep = real_report(dev, res)
    print(f"{label:44s} F1(A-D) {rep['macro_f1']:.3f} F1(5) {rep['macro_f1_with_null']:.3f} Drec {rep['d_recall']:.3f} acute {rep['acute_recall']:.3f} fa {rep['false_acute']:.3f} null {rep['null_recall']:.3f} coll {rep['colleague_recall']:.2f}/{rep['colleague_false']:.2f}")
    return rep, [r["label"] for r in res]

gold = [c["label"] for c in dev]
def macro(g, p):
    f = []
    for x in "ABCD":
        tp = sum(a == x and b == x for a, b in zip(g, p)); fp = sum(a != x and b == x for a, b in zip(g, p)); fn = sum(a == x and b != x for a, b in zip(g, p))
        f.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f) / 4
out = {}
out["a"] = run("a", None, "(a) today: word+char n-grams + e5*1.5, C=10")
out["b_ud"] = run("b", "ud", "(b) + UD-lemma word 1-2grams")
out["c_ud"] = run("c", "ud", "(c) UD-lemma word n-grams instead of word")
out["b_lk"] = run("b", "lookup", "(b') + lookup-lemma word 1-2grams (control)")
#out["c_lk"] = run("c", "lookup", "(c') lookup-lemma instead of word (control)")
random.seed(0); n = len(gold); base = out["a"][1]
for k in ("b_ud", "c_ud", "b_lk"):
    p = out[k][1]; diffs = []
    for _ in range(2000):
        idx = [random.randrange(n) for _ in range(n)]
        g = [gold[i] for i in idx]
        diffs.append(macro(g, [p[i] for i in idx]) - macro(g, [base[i] for i in idx]))
    ch = sum(a != b for a, b in zip(base, p)); fixed = sum(a != g and b == g for a, b, g in zip(base, p, gold)); broke = sum(a == g and b != g for a, b, g in zip(base, p, gold))
    print(f"{k}: label changed on {ch}/{n} cases (fixed {fixed}, broke {broke}); bootstrap dF1(A-D) mean {np.mean(diffs):+.3f}, 95% [{np.percentile(diffs,2.5):+.3f}, {np.percentile(diffs,97.5):+.3f}], P(d>0)={np.mean(np.array(diffs)>0):.2f}")
