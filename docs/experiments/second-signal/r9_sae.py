import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from r9 import *
import threading
from sklearn.preprocessing import normalize
base, dev, tr = load_all()
SC = ROOT / "var/exp/sae_r9.pkl"
sae = pickle.loads(SC.read_bytes()) if SC.exists() else {}
def sparse_feats(texts, top_k=256):
    missing = [t for t in dict.fromkeys(texts) if t not in sae]
    if missing:
        ms = [embeddings._new_model(embeddings.engine_path()) for _ in range(2)]
        print("sparse dim", ms[0].sparse_dim, "missing", len(missing), flush=True)
        def work(m, par):
            for k in range(par, len(missing), 2):
                t = missing[k][:600]
                sae[missing[k]] = m.sparse([t], top_k=top_k, fmt="scipy")
        th = threading.Thread(target=work, args=(ms[1], 1)); th.start(); work(ms[0], 0); th.join()
        SC.write_bytes(pickle.dumps(sae))
    return sparse.vstack([sae[t] for t in texts], format="csr")
t0 = time.time()
alltexts = [t for t, _, _ in base] + [c["text"] for c in dev]
S = sparse_feats(alltexts); print("sparse", S.shape, S.nnz / S.shape[0], round(time.time() - t0, 1), flush=True)
Sn = normalize(S)
idx = {t: i for i, t in enumerate(alltexts)}
for scale in [float(x) for x in sys.argv[1:]]:
    extra = lambda texts, s=scale: Sn[[idx[t] for t in texts]] * s
    t0 = time.time(); m = fit_lr(base, extra=extra); print("fit", round(time.time() - t0, 1), flush=True)
    classes, P = proba_lr(m, [c["text"] for c in dev])
    pickle.dump((classes, P), open(fstr(ROOT / "var/exp") + "/r9_sae{scale}_P.pkl", "wb"))
    ranks = ranks_from(classes, P)
    curve(dev, ranks, label=f"sae {scale}")
