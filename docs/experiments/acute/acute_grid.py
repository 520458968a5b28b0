"""Acute recall and false acute over the acute settings, the rest of the decision as in bot/config.yml (dev only).

Run from the repository root: .venv-rasa/bin/python docs/experiments/acute/acute_grid.py
Rows: acute_threshold, threat_now_min_acute (0.0: the "threat + nu" rule alone, as before round 11)."""
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT / "scripts"), str(ROOT / "bot")]
from evaluate_nlu import real_report  # noqa: E402
from false_acute import CFG, cases, rankings  # noqa: E402

from nlu import triage  # noqa: E402

for at, nm in itertools.product([0.1, 0.2, 0.3, 0.4, 0.5], [0.0, 0.05, 0.1, 0.2]):
    cfg = {**CFG, "acute_threshold": at, "threat_now_min_acute": nm}
    rep = real_report(cases, [triage.decide(c["text"], r, cfg) for c, r in zip(cases, rankings, strict=True)])
    print(f"acute {at}  threat+now {nm}:  acute {rep['acute_recall']:.3f}  false acute {rep['false_acute']:.4f}")
