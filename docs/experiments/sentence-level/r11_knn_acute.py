"""Round 11: acute danger and the rest with the neighbours block, at one decision (dev only).

Run from the repository root: .venv-rasa/bin/python docs/experiments/sentence-level/r11_knn_acute.py
Variants: no block; the block; the block leaving out a training story's own source; the block with acute danger
voting as D (so that the acute intent is learned from the words and the embedding alone)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "second-signal"))
from r9 import decide_all, dev_cases, fit_lr, load_all, proba_lr, ranks_from, summary  # noqa: E402
from r11_knn import knn_block  # noqa: E402

DECISION = {"temperature": 1.0, "d_threshold": 0.07, "d_threshold_ab": None, "incident_mass": 0.6,
            "acute_threshold": 0.2, "threat_now_min_acute": 0.1, "d_when_no_incident": 0.3, "cue_min_prob": 0.05}

if __name__ == "__main__":
    base, _, _ = load_all()
    dev = dev_cases()
    texts = [c["text"] for c in dev]
    merged = [(t, "incident_d" if i == "acute_danger" else i, r) for t, i, r in base]
    for label, extra in [("plain", None), ("knn", knn_block(base, 10, 1.0)),
                         ("knn source", knn_block(base, 10, 1.0, by_source=True)),
                         ("knn acute as D", knn_block(merged, 10, 1.0))]:
        m = fit_lr(base, extra=extra)
        summary(dev, decide_all(dev, ranks_from(*proba_lr(m, texts)), DECISION), label)
