"""Session 30: how long Rasa takes to give `rasa train` its NLU data, with and without patches/train.py.

Each way in a fresh process, on bot/'s data: the calls `rasa train` makes before the first component trains (the
stories, the NLU data without a language, the domain, the NLU data in the config's language) and the seconds each
took, then the data's fingerprint (the same both ways). Without the patch Rasa builds the NLU data three times.
Run (Rasa environment, repository root):
    .venv-rasa/bin/python docs/experiments/rasa-start/nlu_builds.py
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ONE_WAY = """
import sys, time
if sys.argv[1] == "patched":
    from patches import train
    train.apply()
from rasa.shared.importers.importer import TrainingDataImporter
importer = TrainingDataImporter.load_from_config("config.yml", "domain", ["data"])
seconds = []
for call in (importer.get_stories, importer.get_nlu_data, importer.get_domain, lambda: importer.get_nlu_data("nl")):
    started = time.perf_counter()
    result = call()
    seconds.append(time.perf_counter() - started)
print(f"{sys.argv[1]:8s} stories {seconds[0]:4.1f} s, NLU data {seconds[1]:4.1f} s, domain {seconds[2]:4.1f} s, "
      f"NLU data in Dutch {seconds[3]:4.1f} s; {len(result.training_examples)} examples, {result.fingerprint()}")
"""
for way in ("as-is", "patched", "as-is", "patched"):
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run([sys.executable, "-c", ONE_WAY, way], cwd=ROOT / "bot", capture_output=True, text=True, env=env)
    print(done.stdout.strip() or done.stderr.strip()[-500:], flush=True)
