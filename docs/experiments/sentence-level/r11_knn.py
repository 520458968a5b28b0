"""Round 11: the labels of the nearest real-world training stories (e5 cosine) as a feature block.

Run from the repository root: .venv-rasa/bin/python docs/experiments/sentence-level/r11_knn.py [k:scale[:source] ...]
A training text never counts as its own neighbour (with ":source", no story of its own source does). Dev only."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "second-signal"))
from r9 import curve, dev_cases, embed, fit_lr, load_all, np, proba_lr, ranks_from, train_real  # noqa: E402
from real_sources import normalise  # noqa: E402


def knn_block(base, k, scale, by_source=False):
    """by_source: a training story's neighbours leave out every story from its own source, not only itself."""
    real = [(t, i) for t, i, r in base if r]
    source_of = {c["text"]: normalise(c["source"]) for c in train_real()}
    sources = np.array([source_of.get(t, t) for t, _ in real])
    intents = sorted({i for _, i in real})
    E = embed([t for t, _ in real])
    Y = np.zeros((len(real), len(intents)), np.float32)
    for row, (_, i) in enumerate(real):
        Y[row, intents.index(i)] = 1.0
    own = {t: row for row, (t, _) in enumerate(real)}

    def block(texts):
        Q = embed(texts)
        S = Q @ E.T
        for n, t in enumerate(texts):
            if t in own:
                S[n, own[t]] = -9.0
                if by_source:
                    S[n, sources == sources[own[t]]] = -9.0
        top = np.argpartition(-S, k, axis=1)[:, :k]
        out = np.vstack([Y[idx].mean(0) for idx in top])
        return out * scale
    return block


if __name__ == "__main__":
    base, _, _ = load_all()
    dev = dev_cases()
    texts = [c["text"] for c in dev]
    curve(dev, ranks_from(*proba_lr(fit_lr(base), texts)), label="plain")
    for arg in sys.argv[1:] or ["10:1.0"]:
        k, scale, *by = arg.split(":")
        m = fit_lr(base, extra=knn_block(base, int(k), float(scale), by_source=bool(by)))
        curve(dev, ranks_from(*proba_lr(m, texts)), label=f"knn {arg}")
