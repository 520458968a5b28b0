"""`python -m patches.train` builds Rasa's NLU training data once and gives Rasa the same data (patches/train.py).
Each way runs in a fresh process, as `rasa train` does, on a small project of its own. Runs in the Rasa environment
(make unit, marker `rasa`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.rasa
pytest.importorskip("rasa")

ROOT = Path(__file__).resolve().parents[3]

# what rasa train asks of its importer before and while it trains (model_training.train, the graph's providers)
LOAD = """
import json, sys
from rasa.shared.importers import importer, rasa as rasa_importer
if sys.argv[1] == "patched":
    from patches import train
    train.apply()
    train.apply()  # twice: still one build
builds = []
original = rasa_importer.RasaFileImporter.get_nlu_data
def counted(self, language="en"):
    builds.append(language)
    return original(self, language)
rasa_importer.RasaFileImporter.get_nlu_data = counted
loaded = importer.TrainingDataImporter.load_from_config("config.yml", "domain.yml", ["data"])
loaded.get_stories()
first = loaded.get_nlu_data()
domain = loaded.get_domain()
dutch = loaded.get_nlu_data("nl")
print(json.dumps({"builds": len(builds), "nlu": first.fingerprint(), "nl": dutch.fingerprint(),
                  "examples": len(dutch.training_examples), "domain": domain.fingerprint(), "same": first is dutch}))
"""

DOMAIN = """version: "3.1"
intents: [greet, incident_c]
responses:
  utter_greet:
  - text: "Hallo."
"""
NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hallo
    - goedemiddag
- intent: incident_c
  examples: |
    - hij noemde me een [landverrader](insult)
    - "jij bent een leugenaar"
"""
STORIES = """version: "3.1"
stories:
- story: greet
  steps:
  - intent: greet
  - action: utter_greet
"""


def load(project: Path, way: str) -> dict:
    done = subprocess.run([sys.executable, "-c", LOAD, way], cwd=project, capture_output=True, text=True, timeout=300,
                          env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_nlu_data_is_built_once_and_is_the_data_rasa_builds(tmp_path):
    (tmp_path / "config.yml").write_text('recipe: default.v1\nlanguage: nl\npipeline: []\npolicies: []\n')
    (tmp_path / "domain.yml").write_text(DOMAIN)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text(NLU)
    (tmp_path / "data" / "stories.yml").write_text(STORIES)
    rasa, patched = load(tmp_path, "as-is"), load(tmp_path, "patched")
    assert rasa["builds"] == 3 and not rasa["same"]  # Rasa's own: without a language, "en", "nl"
    assert patched["builds"] == 1 and patched["same"]
    assert patched["examples"] == rasa["examples"] > 4  # ours and the responses' and stories' examples
    assert {k: patched[k] for k in ("nlu", "nl", "domain")} == {k: rasa[k] for k in ("nlu", "nl", "domain")}


def test_one_training_loads_a_spacy_model_once(monkeypatch):
    from rasa.nlu.utils.spacy_utils import InvalidModelError, SpacyNLP
    from rasa.shared.importers import importer

    from patches import train

    model = ROOT / "models" / "spacy-nl"
    if not (model / "SOURCE.json").exists():
        pytest.skip("models/spacy-nl is not built (make train builds it)")
    # apply() changes these classes for the process: put them back after the test
    monkeypatch.setattr(SpacyNLP, "load_model", SpacyNLP.__dict__["load_model"])
    for cls in (importer.CombinedDataImporter, importer.ResponsesSyncImporter, importer.E2EImporter):
        monkeypatch.setattr(cls, "get_nlu_data", cls.__dict__["get_nlu_data"])
    train.apply()
    first = SpacyNLP.load_model(str(model))
    assert SpacyNLP.load_model(str(model)) is first
    assert [token.text for token in first.model("Hij stond voor de deur.")][:3] == ["Hij", "stond", "voor"]
    with pytest.raises(InvalidModelError):  # a name that is no string: Rasa's own answer, not a TypeError
        SpacyNLP.load_model(None)


def test_the_launcher_is_rasa_train():
    done = subprocess.run([sys.executable, "-m", "patches.train", "--help"], cwd=ROOT / "bot", capture_output=True,
                          text=True, timeout=300, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage: rasa train" in done.stdout and "--augmentation" in done.stdout
