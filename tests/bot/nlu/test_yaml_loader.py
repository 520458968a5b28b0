"""Rasa reads our training data with ruamel.yaml's C loader (ruamel.yaml.clib, requirements/rasa-deps.in) exactly as
with the pure-Python one. The two differ on some input (a bare U+2028 or U+0085 in an unquoted value stops the C
loader); a data file that reads differently, or not at all, fails here. Rasa environment (marker `rasa`)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.rasa
pytest.importorskip("rasa")

BOT = Path(__file__).resolve().parents[3] / "bot"
READ = """
import sys
if sys.argv[1] == "pure":
    sys.modules["_ruamel_yaml"] = None  # as if ruamel.yaml.clib were not installed
else:
    import _ruamel_yaml  # noqa: F401  (the C loader must be there)
from rasa.shared.importers.importer import TrainingDataImporter
importer = TrainingDataImporter.load_from_config("config.yml", "domain", ["data"])
nlu = importer.get_nlu_data()
print(len(nlu.training_examples), nlu.fingerprint(), importer.get_stories().fingerprint(), importer.get_domain().fingerprint())
"""


def read(way: str) -> str:
    done = subprocess.run([sys.executable, "-c", READ, way], cwd=BOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_the_c_loader_reads_the_training_data_as_the_pure_python_one():
    with_c, pure = read("clib"), read("pure")
    assert int(with_c.split()[0]) > 10_000  # the real-world stories are in it
    assert with_c == pure
