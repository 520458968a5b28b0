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
    from rasa.shared.utils import validation

    from patches import train

    model = ROOT / "models" / "spacy-nl"
    if not (model / "SOURCE.json").exists():
        pytest.skip("models/spacy-nl is not built (make train builds it)")
    # apply() changes these classes for the process: put them back after the test
    monkeypatch.setattr(SpacyNLP, "load_model", SpacyNLP.__dict__["load_model"])
    for cls in (importer.CombinedDataImporter, importer.ResponsesSyncImporter, importer.E2EImporter):
        monkeypatch.setattr(cls, "get_nlu_data", cls.__dict__["get_nlu_data"])
    monkeypatch.setattr(validation, "validate_yaml_schema", validation.validate_yaml_schema)
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


BAD_NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hallo
  exampels: |
    - goedemiddag
"""


def test_the_schema_check_passes_what_rasa_passes_without_the_slow_parse_and_fails_with_rasa_s_error(monkeypatch):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import NLU_SCHEMA_FILE
    from rasa.shared.utils import io, validation
    from rasa.shared.utils.validation import YamlValidationException

    from patches import train

    current = validation.validate_yaml_schema  # apply() in this process before: the fast check, wrapping Rasa's
    rasa_check = getattr(current, "__wrapped__", current)
    monkeypatch.setattr(validation, "validate_yaml_schema", rasa_check)  # apply() changes it for the process
    readers = []
    read_yaml = io.read_yaml

    def counted(content, reader_type="safe"):
        if content in (NLU, BAD_NLU):  # the file checked, not the schema files
            readers.append(reader_type)
        return read_yaml(content, reader_type)

    monkeypatch.setattr(io, "read_yaml", counted)
    with pytest.raises(YamlValidationException) as rasa_error:
        rasa_check(BAD_NLU, NLU_SCHEMA_FILE)
    train.apply()
    assert validation.validate_yaml_schema is not rasa_check and validation.validate_yaml_schema.fast
    readers.clear()
    validation.validate_yaml_schema(NLU, NLU_SCHEMA_FILE)
    assert readers == ["safe"]  # a good file: the fast parse only, no round-trip parse
    with pytest.raises(YamlValidationException) as error:
        validation.validate_yaml_schema(BAD_NLU, NLU_SCHEMA_FILE)
    assert str(error.value) == str(rasa_error.value) and "exampels" in str(error.value)
    assert ["safe", "rt"] in readers  # a bad file: Rasa's own check, with its line numbers
    with pytest.raises(YamlValidationException):  # the domain's and the stories' schemas too
        validation.validate_yaml_schema("version: '3.1'\nstories:\n- story: x\n  stepz: []\n", "shared/utils/schemas/stories.yml")
    validation.validate_yaml_schema(STORIES, "shared/utils/schemas/stories.yml")
    validation.validate_yaml_schema(DOMAIN, "shared/utils/schemas/domain.yml")


def test_every_file_of_ours_passes_the_fast_check(monkeypatch):
    """Otherwise its check is Rasa's slow one again, unnoticed (only the training time would show it)."""
    from rasa.shared.core.domain import DOMAIN_SCHEMA_FILE
    from rasa.shared.nlu.training_data.formats.rasa_yaml import NLU_SCHEMA_FILE
    from rasa.shared.utils import io

    from patches import train

    def slow(*_args, **_kwargs):
        raise AssertionError("Rasa's own check ran: the fast one failed")

    checked = 0
    stories = "shared/utils/schemas/stories.yml"
    for folder, schema in (("data/nlu", NLU_SCHEMA_FILE), ("data/rules", stories), ("data/stories", stories),
                           ("domain", DOMAIN_SCHEMA_FILE)):
        for path in sorted((ROOT / "bot" / folder).glob("*.yml")):
            train._fast_schema_check(slow)(io.read_file(path), schema)
            checked += 1
    assert checked > 10


def test_the_texts_embedded_ahead_are_the_texts_rasa_reads(tmp_path):
    """patches.train starts the embedding of these texts before Rasa reads them (nlu/embeddings.start_ahead): a text
    read differently would only be embedded again later, but then the time is not saved."""
    from rasa.shared.nlu.training_data.loading import load_data

    from patches import train

    (tmp_path / "nlu").mkdir()
    spaces_after = "   "  # Rasa strips them
    (tmp_path / "nlu" / "a.yml").write_text(NLU + f"""- intent: incident_d
  examples: |
    - ik weet waar je woont in [Zwolle]{{"entity": "municipality"}}
    -   'ik maak je af' zei hij{spaces_after}
- synonym: Zwolle
  examples: |
    - zwolle
""")
    (tmp_path / "nlu" / "incidents_real.yml").write_text("""version: "3.1"
nlu:
- intent: incident_c
  metadata:
    real_world: true
  examples: |
    - "Vuile landverrader" riep hij, en: [sic] dat meen ik
""")
    (tmp_path / "stories.yml").write_text(STORIES)
    texts = train.example_texts(tmp_path)
    assert texts[0].startswith('"Vuile landverrader"')  # the real-world stories first
    rasa = [m.get("text") for m in load_data(str(tmp_path / "nlu")).intent_examples]
    assert sorted(texts) == sorted(rasa) and len(texts) == 7
    ours = set(train.example_texts(ROOT / "bot" / "data"))
    from rasa.shared.nlu.training_data.loading import load_data as load

    every = [m.get("text") for m in load(str(ROOT / "bot" / "data" / "nlu")).intent_examples if m.get("text")]
    assert sum(text in ours for text in every) >= 0.999 * len(every)


def test_train_reads_rasa_s_data_argument():
    from patches import train

    assert train._data_folder(["--domain", "domain"]) == Path("data")
    assert train._data_folder(["--data", "elders", "--out", "m"]) == Path("elders")
    assert train._data_folder(["--data=elders"]) == Path("elders")


def test_a_training_starts_the_embedding_ahead_and_help_or_core_does_not(monkeypatch, tmp_path, caplog):
    import rasa.__main__

    from nlu import embeddings
    from patches import train

    (tmp_path / "nlu.yml").write_text(NLU)
    started: list[list[str]] = []
    monkeypatch.setattr(embeddings, "start_ahead", started.append)
    monkeypatch.setattr(train, "apply", lambda: None)
    monkeypatch.setattr(rasa.__main__, "main", lambda: None)
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "nlu.yml").write_text("nlu: 5\n")  # Rasa's reading reports it; here no texts, no crash
    assert train.example_texts(tmp_path / "odd") == []
    rasa_ran: list[bool] = []
    monkeypatch.setattr(train, "example_texts", lambda _: 1 / 0)
    monkeypatch.setattr(train, "apply", lambda: None)
    monkeypatch.setattr(rasa.__main__, "main", lambda: rasa_ran.append(True))
    monkeypatch.setattr(sys, "argv", ["patches.train", "--data", str(tmp_path / "odd")])
    train.main()  # a failure before Rasa: logged, and Rasa runs
    assert rasa_ran == [True] and "the embedding ahead was not started" in caplog.text
    monkeypatch.undo()
    monkeypatch.setattr(embeddings, "start_ahead", started.append)
    monkeypatch.setattr(train, "apply", lambda: None)
    monkeypatch.setattr(rasa.__main__, "main", lambda: None)
    for args in (["--help"], ["core", "--domain", "domain"], ["--data", str(tmp_path), "--augmentation", "0"]):
        monkeypatch.setattr(sys, "argv", ["patches.train", *args])
        train.main()
    assert started == [["hallo", "goedemiddag", "hij noemde me een landverrader", '"jij bent een leugenaar"']]
    assert sys.argv == ["rasa", "train", "--data", str(tmp_path), "--augmentation", "0"]
