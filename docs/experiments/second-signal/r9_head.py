"""Attention pooling head over frozen e5 token states, blended with the LR (experiment)."""
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from r9 import *
import os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow as tf
tf.random.set_seed(0); np.random.seed(0)
base, dev, tr = load_all()
store = pickle.loads((ROOT / "var/exp/tok_r9.pkl").read_bytes())
classes, P = pickle.load(open(str(ROOT / "var/exp") + "/r9_base_P.pkl", "rb"))
cls = list(classes); ci = {c: i for i, c in enumerate(cls)}
T = 128
def pad(texts):
    X = np.zeros((len(texts), T, 384), np.float32); M = np.zeros((len(texts), T), np.float32)
    for i, t in enumerate(texts):
        s = store[t][:T]; X[i, :len(s)] = s; M[i, :len(s)] = 1
    return X, M
texts = [t for t, _, _ in base]; y = np.array([ci[i] for _, i, _ in base]); w = np.array([4.0 if r else 1.0 for *_, r in base], np.float32)
X, M = pad(texts); Xd, Md = pad([c["text"] for c in dev])
def build(hidden=128, drop=0.2):
    x = tf.keras.Input((T, 384)); m = tf.keras.Input((T,))
    h = tf.keras.layers.Dense(hidden, activation="tanh")(x)
    s = tf.squeeze(tf.keras.layers.Dense(1)(h), -1) + (m - 1.0) * 1e9
    a = tf.nn.softmax(s, axis=-1)
    att = tf.reduce_sum(x * a[..., None], 1)
    mean = tf.reduce_sum(x * m[..., None], 1) / tf.reduce_sum(m, 1, keepdims=True)
    z = tf.keras.layers.Dropout(drop)(tf.concat([att, mean], -1))
    out = tf.keras.layers.Dense(len(cls), activation="softmax", kernel_regularizer=tf.keras.regularizers.l2(1e-4))(z)
    model = tf.keras.Model([x, m], out)
    model.compile(tf.keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy")
    return model
for epochs in [int(e) for e in sys.argv[1:]]:
    t0 = time.time()
    model = build()
    model.fit([X, M], y, sample_weight=w, epochs=epochs, batch_size=64, verbose=0, shuffle=True)
    Ph = model.predict([Xd, Md], verbose=0)
    print("epochs", epochs, "fit", round(time.time() - t0, 1), flush=True)
    pickle.dump(Ph, open(fstr(ROOT / "var/exp") + "/r9_head{epochs}_P.pkl", "wb"))
    curve(dev, ranks_from(classes, Ph), label=" head alone")
    for a in (0.3, 0.5):
        curve(dev, ranks_from(classes, (1 - a) * P + a * Ph), label=f" blend {a}")
