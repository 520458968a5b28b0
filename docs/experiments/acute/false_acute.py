"""Which rule makes a dev message acute, for true and false acute (round 11). Dev only; prints dev texts.

Run from the repository root: .venv-rasa/bin/python docs/experiments/acute/false_acute.py [--texts]
The rules are those of bot/nlu/triage.py with bot/config.yml's settings: `threat+now` counts only when the acute
intent is at least threat_now_min_acute (`threat+now (raw)`: the rule without that condition, for comparison).
From round 12 the dev cases are training data: the rankings are cross-fitted (scripts/cross_fit.py), each fold by
the classifier fitted without it. Cached in var/exp/ under the hash of what they depend on (INPUTS)."""
import hashlib
import pickle
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
import cross_fit  # noqa: E402  (puts bot/ on the path)
from real_data import read_jsonl  # noqa: E402

from nlu import cues, triage  # noqa: E402

cases = read_jsonl(*sorted(ROOT.glob("tests/nlu/real/dev*.jsonl")))
# what the rankings depend on: the training data, the pipeline's settings and the classifier's modules
INPUTS = [*sorted((ROOT / "bot/data/nlu").rglob("*.yml")), ROOT / "bot/config.yml",
          *(ROOT / "bot/nlu" / name for name in ("ensemble.py", "colleague.py", "embeddings.py"))]
key = hashlib.sha256(b"".join(path.read_bytes() for path in INPUTS)).hexdigest()[:12]
CACHE = ROOT / f"var/exp/acute_dev_oof_{key}_{len(cases)}.pkl"
if CACHE.exists():
    rankings = pickle.loads(CACHE.read_bytes())
else:
    rankings, _ = cross_fit.rankings(cases, 5)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(pickle.dumps(rankings))
CFG = cross_fit.component_config("nlu.abcd.ABCDTriage")


def rules(text, ranking, config=None):
    cfg = {**triage.DEFAULTS, **CFG, **(config or {})}
    probs, _ = triage.calibrated(triage.category_probabilities(ranking), cfg["temperature"])
    acute_prob = sum(conf for name, conf in ranking if name == "acute_danger")
    found = cues.find_cues(text)
    level = cues.heaviest([c for c in found if triage.cue_counts(c, probs, cfg)])  # which cues count, as decide
    fired = []
    if cues.is_acute(text):
        fired.append("regex")
    if next((name for name, _ in ranking if name != "nlu_fallback"), None) == "acute_danger":  # as triage.decide
        fired.append("top")
    if acute_prob >= cfg["acute_threshold"]:
        fired.append("prob")
    if level == "D" and cues.is_happening_now(text):
        fired.append("threat+now" if acute_prob >= cfg["threat_now_min_acute"] else "threat+now (raw)")
    return fired, acute_prob


if __name__ == "__main__":
    true_by, false_by = Counter(), Counter()
    false_cases = []
    for case, ranking in zip(cases, rankings, strict=True):
        fired, p = rules(case["text"], ranking)
        acute = triage.decide(case["text"], ranking, CFG)["acute"]
        if not fired:
            continue
        key = "+".join(fired) + ("" if acute else "  (not acute)")
        if case.get("acute"):
            true_by[key] += 1
        else:
            false_by[key] += 1
            if acute:
                false_cases.append((key, round(p, 2), case["label"], case["text"]))
    n_acute = sum(1 for c in cases if c.get("acute"))
    print(f"{len(cases)} dev cases, {n_acute} acute; the rule(s) that fired, true and false acute:")
    for name in sorted(set(true_by) | set(false_by)):
        print(f"  {name:40s} true {true_by[name]:3d}  false {false_by[name]:3d}")
    if "--texts" in sys.argv:
        for row in sorted(false_cases):
            print(row)
