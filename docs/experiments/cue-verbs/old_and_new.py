"""The cue rules before session 26 (commit 1aa72d0) against today's, with the same cross-fitted rankings and the shipped
decision: on all of dev, and on the dev cases the rules' author did not read while writing them (round 21's retired
blind set and round 22's new dev: dev_r21retired, dev_r22e, dev_r22f).

The new rules (nlu/cue_words.HARM_VERBS and the single rules of session 26) were written from the kinds of threats dev's
decision missed; this shows how much of their gain is on the cases that were read.
Run: .venv-rasa/bin/python docs/experiments/cue-verbs/old_and_new.py (the cross-fit is cached by commit in var/exp/,
as docs/experiments/cross-fit/oof_errors.py does; about 10 minutes the first time).
"""
import subprocess
import sys
import tempfile
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import cross_fit  # noqa: E402  (puts bot/ on the path)
from evaluate_nlu import real_report  # noqa: E402
from real_data import REAL, cases, read_jsonl  # noqa: E402

from nlu import triage  # noqa: E402

BEFORE = "1aa72d0"
UNREAD = ("dev_r21retired", "dev_r22e", "dev_r22f")


def old_triage():
    """nlu.triage with the cue rules of BEFORE, loaded as the package "oldnlu" from git."""
    folder = Path(tempfile.mkdtemp())
    package = types.ModuleType("oldnlu")
    package.__path__ = [str(folder)]
    sys.modules["oldnlu"] = package
    for name in ("spelling", "cue_words", "cues", "triage"):
        source = subprocess.run(["git", "show", f"{BEFORE}:bot/nlu/{name}.py"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout
        source = source.replace("from nlu.", "from oldnlu.").replace("from nlu import", "from oldnlu import")
        module = types.ModuleType(f"oldnlu.{name}")
        sys.modules[f"oldnlu.{name}"] = module
        exec(compile(source, f"{BEFORE}:{name}.py", "exec"), module.__dict__)
    return sys.modules["oldnlu.triage"]


config = cross_fit.component_config("nlu.abcd.ABCDTriage")
dev = cases("dev")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
rankings, colleague = cross_fit.cached_rankings(dev, 5, ROOT / "var/exp" / f"oof_{len(dev)}_{commit}.pkl")
unread = {c["text"] for name in UNREAD for c in read_jsonl(REAL / f"{name}.jsonl")}
rules = (("cue rules of " + BEFORE, old_triage()), ("cue rules today", triage))
for part, keep in (("all dev", lambda c: True), ("dev not read", lambda c: c["text"] in unread)):
    index = [i for i, c in enumerate(dev) if keep(c)]
    chosen = [dev[i] for i in index]
    for name, module in rules:
        results = [module.decide(dev[i]["text"], rankings[i], config, colleague[i]) for i in index]
        report = real_report(chosen, results)
        threats = sum(c["label"] == "D" for c in chosen)
        caught = sum(c["label"] == "D" and r["label"] == "D" for c, r in zip(chosen, results, strict=True))
        print(f"{part} ({len(chosen)}), {name}: macro-F1 {report['macro_f1']:.3f}  D {caught} of {threats} "
              f"({report['d_recall']:.3f})  acute {report['acute_recall']:.3f}  false acute {report['false_acute']:.3f}  "
              f"not-an-incident {report['null_recall']:.3f}")
