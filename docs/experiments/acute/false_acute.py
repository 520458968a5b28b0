"""Which rule makes a dev message acute, for true and false acute (round 11). Dev only; prints dev texts.

Run from the repository root: .venv-rasa/bin/python docs/experiments/acute/false_acute.py [--texts]
Caches the model's rankings of dev in var/exp/acute_dev.pkl (delete it after retraining)."""
import pickle
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
from nlu_model import load, parse_all  # noqa: E402
from real_data import read_jsonl  # noqa: E402

CACHE = ROOT / "var/exp/acute_dev.pkl"
cases = read_jsonl(*sorted(ROOT.glob("tests/nlu/real/dev*.jsonl")))
if CACHE.exists():
    rankings = pickle.loads(CACHE.read_bytes())
else:
    parsed = parse_all(load("models/meldhulp.tar.gz"), [c["text"] for c in cases])
    rankings = [[(r["name"], r["confidence"]) for r in p.get("intent_ranking") or []] for p in parsed]
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_bytes(pickle.dumps(rankings))
sys.path.insert(0, str(ROOT / "bot"))
import yaml  # noqa: E402
from nlu import cues, triage  # noqa: E402

CFG = {k: v for k, v in next(c for c in yaml.safe_load(open(ROOT / "bot/config.yml"))["pipeline"]
                             if c["name"] == "nlu.abcd.ABCDTriage").items() if k != "name"}


def rules(text, ranking):
    cfg = {**triage.DEFAULTS, **CFG}
    probs = {label: 0.0 for label in triage.SEVERITY}
    for name, conf in ranking:
        if name in triage.INCIDENT_INTENTS:
            probs[triage.INCIDENT_INTENTS[name]] += conf
    probs, _ = triage.calibrated(probs, cfg["temperature"])
    acute_prob = sum(conf for name, conf in ranking if name == "acute_danger")
    found = cues.find_cues(text)
    level = cues.heaviest([c for c in found if not c.reported or cues.is_direct(c) or probs[c.category] >= cfg["cue_min_prob"]])
    fired = []
    if cues.is_acute(text):
        fired.append("regex")
    if ranking and ranking[0][0] == "acute_danger":
        fired.append("top")
    if acute_prob >= cfg["acute_threshold"]:
        fired.append("prob")
    if level == "D" and cues.is_happening_now(text):
        fired.append("threat+now")
    return fired, acute_prob


true_by, false_by = Counter(), Counter()
false_cases = []
for case, ranking in zip(cases, rankings):
    fired, p = rules(case["text"], ranking)
    if not fired:
        continue
    key = "+".join(fired)
    if case.get("acute"):
        true_by[key] += 1
    else:
        false_by[key] += 1
        false_cases.append((key, round(p, 2), case["label"], case["text"]))
n_acute = sum(1 for c in cases if c.get("acute"))
print(f"{len(cases)} dev cases, {n_acute} acute; acute by rule(s) that fired:")
for key in sorted(set(true_by) | set(false_by)):
    print(f"  {key:28s} true {true_by[key]:3d}  false {false_by[key]:3d}")
if "--texts" in sys.argv:
    for row in sorted(false_cases):
        print(row)
