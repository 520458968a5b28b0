"""Fine-tune e5-small's layers K..11 on the real-world training stories (never dev), then write the new
embedding of every training example and dev case for the harness (eval.py).

    .venv-rasa/bin/python docs/experiments/finetune/finetune.py K EPOCHS LR [SEED] [FOLD]

FOLD 0 or 1: train only on the training stories whose source is not in that fold (real_sources.fold_of, 2 folds),
so that eval.py can give each training story an embedding from an encoder that never saw it (cross-fitting).
"""
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "second-signal"))
import pickle, time
import numpy as np
import tensorflow as tf
from ft_lib import Engine, upper_model, batches, cached_states, ROOT
import r9

K, EPOCHS, LR = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 0
FOLD = int(sys.argv[5]) if len(sys.argv) > 5 else None
tf.random.set_seed(SEED); rng = np.random.default_rng(SEED)
LABELS = ["A", "B", "C", "D", None]
base, dev, train_real = r9.load_all()
if FOLD is not None:
    from real_sources import fold_of
    train_real = [c for c in train_real if fold_of(c["source"], 2) != FOLD]
    print(f"fold {FOLD}: training on {len(train_real)} stories", flush=True)
texts_all = sorted({t for t, _, _ in base} | {c["text"] for c in dev} | {c["text"] for c in train_real})
t0 = time.time()
cache = cached_states(texts_all, K, "states")
print("states", len(cache), round(time.time() - t0, 1), flush=True)

def st(t):
    return cache[t].astype(np.float32) if t in cache else np.zeros((2, 384), np.float32)

tr_x = [st(c["text"]) for c in train_real]
tr_y = np.array([LABELS.index(c["label"]) for c in train_real])
tr_a = np.array([1.0 if c.get("acute") else 0.0 for c in train_real], np.float32)
dv_x = [st(c["text"]) for c in dev]
dv_y = np.array([LABELS.index(c["label"]) for c in dev])

eng = Engine()
upper = upper_model(K, eng)
head = tf.keras.layers.Dense(5)
acute = tf.keras.layers.Dense(1)
opt_enc = tf.keras.optimizers.Adam(LR)
opt_head = tf.keras.optimizers.Adam(1e-3)
SCALE = 20.0  # the embedding is unit length; logits need room

def logits(x, m):
    e = upper(x, m)
    return e, head(e * SCALE), acute(e * SCALE)[:, 0]

def make_step(with_encoder):
    """One compiled step per phase: a tf.function reads the trainable variables when it is traced, so one step for
    both phases would keep training the heads alone (a reviewer found this in the first version: the encoder's
    weights never moved; checked at the end now)."""
    @tf.function(reduce_retracing=True)
    def step(x, m, y, a):
        with tf.GradientTape() as tape:
            _, lg, la = logits(x, m)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, lg)) + \
                0.5 * tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(a, la))
        enc_vars = upper.trainable_variables if with_encoder else []
        head_vars = head.trainable_variables + acute.trainable_variables
        g = tape.gradient(loss, enc_vars + head_vars)
        if with_encoder:
            opt_enc.apply_gradients(zip(g[:len(enc_vars)], enc_vars))
        opt_head.apply_gradients(zip(g[len(enc_vars):], head_vars))
        return loss
    return step


def order_by_length(xs, size):
    """Shuffled batches of like length (less padding)."""
    idx = rng.permutation(len(xs))
    idx = sorted(idx, key=lambda j: len(xs[j]) + rng.random() * 8)
    chunks = [idx[i:i + size] for i in range(0, len(idx), size)]
    rng.shuffle(chunks)
    return [j for c in chunks for j in c]

def predict(xs):
    out_e, out_p = np.zeros((len(xs), 384), np.float32), np.zeros((len(xs), 5), np.float32)
    order = sorted(range(len(xs)), key=lambda j: len(xs[j]))
    for idx, x, m in batches(xs, order, 64):
        e, lg, _ = logits(tf.constant(x), tf.constant(m))
        out_e[idx] = e.numpy(); out_p[idx] = tf.nn.softmax(lg).numpy()
    return out_e, out_p

def macro(y, p):
    from sklearn.metrics import f1_score, recall_score
    f = f1_score(y, p, labels=[0, 1, 2, 3], average="macro")
    return round(f, 3), round(recall_score(y, p, labels=[3], average="macro"), 3), round(recall_score(y, p, labels=[4], average="macro"), 3)

# head alone on the frozen encoder first (a fair start for the encoder's gradients)
step_heads, step_all = make_step(False), make_step(True)
for epoch in range(EPOCHS + 1):
    t0 = time.time(); losses = []
    frozen = epoch == 0
    step = step_heads if frozen else step_all
    for idx, x, m in batches(tr_x, order_by_length(tr_x, 16), 16):
        losses.append(float(step(tf.constant(x), tf.constant(m), tf.constant(tr_y[idx]), tf.constant(tr_a[idx]))))
    _, p = predict(dv_x)
    print(f"epoch {epoch}{' (head only)' if frozen else ''} loss {np.mean(losses):.3f} {round(time.time() - t0)} s; "
          f"dev head macro-F1 / D recall / null recall {macro(dv_y, p.argmax(1))}", flush=True)

name = f"K{K}_e{EPOCHS}_lr{LR}_s{SEED}" + (f"_fold{FOLD}" if FOLD is not None else "")
weights = {v.name: v.numpy() for v in upper.trainable_variables}
moved = float(np.abs(upper.ws[0]["q_w"].numpy() - eng.layer(K)["q_w"]).max())
print(f"layer {K} query weights moved by up to {moved:.2e}", flush=True)
assert EPOCHS == 0 or moved > 0, "the encoder was not trained"
t0 = time.time()
emb_texts = sorted({t for t, _, _ in base} | {c["text"] for c in dev})
E, P = predict([st(t) for t in emb_texts])
(ROOT / f"var/exp/e5ft/emb_{name}.pkl").write_bytes(pickle.dumps({t: e for t, e in zip(emb_texts, E)}))
(ROOT / f"var/exp/e5ft/weights_{name}.pkl").write_bytes(pickle.dumps(weights))
_, Pd = predict(dv_x)
(ROOT / f"var/exp/e5ft/head_{name}.pkl").write_bytes(pickle.dumps(Pd))
print("embedded", len(E), round(time.time() - t0, 1), "->", f"var/exp/e5ft/emb_{name}.pkl", flush=True)
