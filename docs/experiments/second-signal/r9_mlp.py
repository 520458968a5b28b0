import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from r9 import *
from sklearn.neural_network import MLPClassifier
base, dev, tr = load_all()
classes, P = pickle.load(open(str(ROOT / "var/exp") + "/r9_base_P.pkl", "rb"))
texts = [t for t, _, _ in base]; y = np.array([i for _, i, _ in base]); w = np.array([4.0 if r else 1.0 for *_, r in base])
X = embed(texts); Xd = embed([c["text"] for c in dev])
# oversample real-world examples x4 (MLP has no sample_weight in this sklearn?)
idx = np.concatenate([np.arange(len(texts))] + [np.where(w > 1)[0]] * 3)
for hidden, alpha in [((256,), 1e-3), ((256,), 1e-2), ((512,), 1e-2)]:
    t0 = time.time()
    mlp = MLPClassifier(hidden_layer_sizes=hidden, alpha=alpha, max_iter=60, early_stopping=False, random_state=0).fit(X[idx], y[idx])
    Pm = mlp.predict_proba(Xd)
    Pm = Pm[:, [list(mlp.classes_).index(c) for c in classes]]
    print(hidden, alpha, "fit", round(time.time() - t0, 1), flush=True)
    curve(dev, ranks_from(classes, Pm), label=" mlp alone")
    for a in (0.3, 0.5):
        curve(dev, ranks_from(classes, (1 - a) * P + a * Pm), label=f" blend {a}")
