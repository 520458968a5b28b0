import sys, json, pickle, functools, collections
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[3] / "scripts"))
from nlu_model import ROOT, load, parse_all, ranking_of
import cross_fit
from real_data import read_jsonl
from pathlib import Path
P = Path(str(ROOT / "var/exp") + "/r9_dev_parsed.pkl")
cases = read_jsonl(*sorted(ROOT.glob("tests/nlu/real/dev*.jsonl")))
if P.exists():
    parsed = pickle.loads(P.read_bytes())
else:
    agent = load(str(ROOT / "models/meldhulp.tar.gz"))
    parsed = parse_all(agent, [c["text"] for c in cases]); P.write_bytes(pickle.dumps(parsed))
from nlu import cues, triage
for name in ("find_cues", "is_acute", "is_happening_now", "is_colleague", "medium", "is_persistent"):
    setattr(cues, name, functools.lru_cache(maxsize=None)(getattr(cues, name)))
CFG = cross_fit.component_config("nlu.abcd.ABCDTriage")
rankings = [ranking_of(p) for p in parsed]
# label before the D override: decide with d_threshold 1.01
pre = [triage.decide(c["text"], r, {**CFG, "d_threshold": 1.01, "d_when_no_incident": 1.01}) for c, r in zip(cases, rankings)]
def pd(r):
    probs = {k: 0.0 for k in "ABCD"}
    for n, cf in r:
        if n in triage.INCIDENT_INTENTS: probs[triage.INCIDENT_INTENTS[n]] += cf
    return probs["D"]
tab = collections.Counter()
for c, r, p in zip(cases, rankings, pre):
    if p["label"] == "D": continue
    d = pd(r)
    band = "0.05-0.1" if d < 0.1 else "0.1-0.2" if d < 0.2 else "0.2-0.3" if d < 0.3 else ">=0.3"
    if d < 0.05: band = "<0.05"
    tab[(p["label"], band, "goldD" if c["label"] == "D" else "other")] += 1
for pre_label in ["A", "B", "C", None]:
    print(pre_label, {f"{b}:{g}": tab[(pre_label, b, g)] for b in ["<0.05", "0.05-0.1", "0.1-0.2", "0.2-0.3", ">=0.3"] for g in ["goldD", "other"]})
