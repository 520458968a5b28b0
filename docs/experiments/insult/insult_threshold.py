"""The D threshold for an insult with no D word (nlu.triage d_threshold_insult), on cross-fitted dev.

Scores the development cases once by cross-fitting (scripts/cross_fit.py, kept in var/exp/ by a hash of the dev
cases, the training data and the classifier's settings; not of the code), then replays bot/config.yml's decision with d_threshold_insult off and at a few values:
macro-F1, D recall, not-an-incident recall, how many C cases move, how many D cases are lost. Dev only; prints
counts, and with --texts the D stories the setting would lose (dev errors may be read).
Run: .venv-rasa/bin/python docs/experiments/insult/insult_threshold.py [--texts]
"""
import glob
import hashlib
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import cross_fit  # noqa: E402  (puts bot/ on the path)
from evaluate_nlu import real_report  # noqa: E402
from real_data import cases  # noqa: E402

from nlu import triage  # noqa: E402

dev = cases("dev")
FOLDS = 5
# the rankings depend on the dev cases (their sources make the folds), the training data and the classifier's settings
key = hashlib.sha256("".join(c["text"] + c["source"] for c in dev).encode()
                     + b"".join(Path(p).read_bytes() for p in sorted(glob.glob(str(ROOT / "bot/data/nlu/*.yml"))))
                     + repr((cross_fit.component_config(cross_fit.CLASSIFIER), FOLDS)).encode()).hexdigest()[:12]
cache = ROOT / f"var/exp/crossfit_{key}.pkl"
if cache.exists():
    rankings, colleague = pickle.loads(cache.read_bytes())
else:
    rankings, colleague = cross_fit.rankings(dev, FOLDS)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps((rankings, colleague)))

config = cross_fit.component_config("nlu.abcd.ABCDTriage")
base = [triage.decide(c["text"], r, config, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
print(f"{len(dev)} dev cases (cache {cache.name}); bot/config.yml's decision, d_threshold {config['d_threshold']}")
for value in (None, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5):
    cfg = {**config, "d_threshold_insult": value}
    results = [triage.decide(c["text"], r, cfg, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
    rep = real_report(dev, results)
    moved = [(c, b, x) for c, b, x in zip(dev, base, results, strict=True) if b["label"] != x["label"]]
    gained = sum(c["label"] == x["label"] for c, _, x in moved)
    lost = [c for c, b, x in moved if c["label"] == b["label"]]
    lost_d = [c for c in lost if c["label"] == "D"]
    print(f"insult {value}: macro-F1 {rep['macro_f1']:.3f}  D {rep['d_recall']:.3f}  null {rep['null_recall']:.3f}  "
          f"moved {len(moved)}: right now {gained}, wrong now {len(lost)} (D lost {len(lost_d)})")
    if "--texts" in sys.argv:
        for c in lost_d:
            print("   D lost:", c["text"][:200])
