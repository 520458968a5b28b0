"""Which decision settings of the narrow grid keep make eval-nlu's floors with the shipped model (only each set's
macro-F1 and D recall are read, as the tuner's guard does). Session 34, round 29. Run from the repository root:
    .venv-rasa/bin/python -u docs/experiments/synthetic-floors/synth_floors.py [MODEL] > out
(MODEL: models/meldhulp.tar.gz unless given; slices.sh trains the models of session 35's comparison)
Each line: heldout9 macro-F1/D recall, heldout10 macro-F1/D recall, the setting (printed for d_threshold <= 0.07 or
when it keeps the floors). round29_with_ghi.out: round 29's model trained with the slices now in
tests/nlu/real/held_back/ (0 of 1,008 keep the floors). round29_without_{g,h,i}.out (session 35): round 29's data
with two of the three slices, by slices.sh."""
import itertools, json, sys
sys.path.insert(0, "scripts")
from nlu_model import load, parse_all, ranking_of
from evaluate_nlu import scores
from real_data import read_jsonl
import tune_triage as tt
from pathlib import Path
ROOT = Path(".").resolve()
agent = load(sys.argv[1] if len(sys.argv) > 1 else "models/meldhulp.tar.gz")
from nlu import triage, cues
import functools
for n in ('find_cues', 'is_acute', 'is_happening_now', 'is_colleague', 'medium', 'is_persistent'):
    setattr(cues, n, functools.lru_cache(maxsize=None)(getattr(cues, n)))
import cross_fit
sets = {}
for name, f1, d in (("tests/nlu/heldout9.jsonl", 0.88, 0.95), ("tests/nlu/heldout10.jsonl", 0.90, 0.96)):
    cases = read_jsonl(ROOT / name)
    ranks = [ranking_of(p) for p in parse_all(agent, [c["text"] for c in cases])]
    sets[name] = (cases, ranks, f1, d)
shipped = cross_fit.component_config("nlu.abcd.ABCDTriage")
grid = tt.narrow({**tt.GRID, "temperature": [1.0]}, ["d_threshold", "d_threshold_ab", "incident_mass", "d_when_no_incident"], shipped)
configs = [dict(zip(grid, v)) for v in itertools.product(*grid.values())]
configs = [c for c in configs if c["d_threshold_ab"] is None or c["d_threshold_ab"] > c["d_threshold"]]
configs += [{**c, "d_threshold_insult": v} for c in list(configs) for v in tt.INSULT_GRID if v > c["d_threshold"]]
keep = 0
for c in configs:
    out = []
    ok = True
    for name, (cases, ranks, f1min, dmin) in sets.items():
        labels = [triage.decide(x["text"], r, c)["label"] for x, r in zip(cases, ranks)]
        rep = scores([x["label"] for x in cases], labels)
        f1, dr = rep["macro_f1"], rep["per_label"]["D"]["recall"]
        ok &= f1 >= f1min and dr >= dmin
        out.append(f"{f1:.3f}/{dr:.3f}")
    keep += ok
    if c["d_threshold"] <= 0.07 or ok:
        print(("KEEP " if ok else "     ") + " ".join(out), json.dumps({k: c[k] for k in ("d_threshold", "d_threshold_ab", "incident_mass", "d_when_no_incident", "d_threshold_insult")}))
print(keep, "of", len(configs), "keep the floors")
