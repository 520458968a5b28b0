"""Session 24: Rasa reading our training data with ruamel.yaml's C loader (ruamel.yaml.clib) and without it.

ruamel.yaml 0.17.21 requires its C loader only below Python 3.11, so the Python 3.11 environment had none and Rasa read
every YAML file in pure Python. Each way, in a fresh process: the seconds Rasa's importer takes to read the NLU data,
the stories and the domain (as `rasa train` does before training), and their fingerprints (the same data both ways).
Run (Rasa environment, repository root):
    .venv-rasa/bin/python docs/experiments/rasa-start/load_data.py
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ONE_WAY = """
import sys, time
if sys.argv[1] == "pure":
    sys.modules["_ruamel_yaml"] = None  # as if ruamel.yaml.clib were not installed
from rasa.shared.importers.importer import TrainingDataImporter
started = time.perf_counter()
importer = TrainingDataImporter.load_from_config("config.yml", "domain", ["data"])
nlu, stories, domain = importer.get_nlu_data(), importer.get_stories(), importer.get_domain()
print(f"{sys.argv[1]:5s} {time.perf_counter() - started:5.1f} s  {len(nlu.training_examples)} examples  "
      f"{nlu.fingerprint()} {stories.fingerprint()} {domain.fingerprint()}")
"""
for way in ("clib", "pure", "clib", "pure"):
    done = subprocess.run([sys.executable, "-c", ONE_WAY, way], cwd=ROOT / "bot", capture_output=True, text=True)
    print(done.stdout.strip() or done.stderr.strip()[-500:], flush=True)
