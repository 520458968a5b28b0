"""Round 11: e5 per sentence as well as per message (a threat in one sentence of a story, embedded on its own).

Run from the repository root: .venv-rasa/bin/python docs/experiments/sentence-level/r11_sent.py [scale ...]
Prints the plain model's curve and, per scale, the curve with the sentence block added (dev only)."""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "second-signal"))
from r9 import curve, dev_cases, embed, fit_lr, load_all, np, proba_lr, ranks_from  # noqa: E402

SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text):
    parts = [p.strip() for p in SPLIT.split(text) if len(p.strip()) > 3]
    return parts or [text]


def sentence_block(scale, pool):
    def block(texts):
        embed([s for t in texts for s in sentences(t)])  # fills the cache in one batch; read per message below
        rows = []
        for t in texts:
            E = embed(sentences(t))
            if pool == "max":
                rows.append(E.max(0))
            elif pool == "maxmin":
                rows.append(np.concatenate([E.max(0), E.min(0)]))
            else:  # the sentence furthest from the message's mean, alone
                m = E.mean(0)
                rows.append(E[int(np.argmin(E @ m))])
        return np.vstack(rows) * scale
    return block


if __name__ == "__main__":
    base, _, _ = load_all()
    dev = dev_cases()
    texts = [c["text"] for c in dev]
    m = fit_lr(base)
    curve(dev, ranks_from(*proba_lr(m, texts)), label="plain")
    for arg in sys.argv[1:] or ["1.5:max"]:
        scale, pool = arg.split(":")
        m = fit_lr(base, extra=sentence_block(float(scale), pool))
        curve(dev, ranks_from(*proba_lr(m, texts)), label=f"sent {scale} {pool}")
