"""make train, make time-training and the Rasa image train the same model (patches.train with the same
options, from bot/). Reads the Makefile, scripts/time_training.py and deploy/rasa.Dockerfile; trains nothing."""

from __future__ import annotations

import re
import shlex

from tests.deploy._compose import ROOT

# Options of patches.train that do not change what is trained (with the number of values each takes).
NOT_THE_MODEL = {"--out": 1, "--fixed-model-name": 1, "--quiet": 0, "--skip-validation": 0}


def _model_argv(argv: list[str]) -> list[str]:
    """patches.train's arguments without those that leave the model as it is: any other option, a short form or a
    subcommand ("core") that one command has and another not is a difference."""
    kept, i = [], 0
    while i < len(argv):
        if argv[i] in NOT_THE_MODEL:
            i += 1 + NOT_THE_MODEL[argv[i]]
            continue
        kept.append(argv[i])
        i += 1
    return kept


def _joined(path: str) -> str:
    """A Makefile or Dockerfile with its continued lines joined."""
    return re.sub(r"\\\n\s*", " ", (ROOT / path).read_text(encoding="utf-8"))


def test_the_three_training_commands_train_the_same_model():
    """make train, make time-training (scripts/time_training.py) and the image train through patches.train, from
    bot/, with the same options, so the time measured and the model served are those of the model make train builds."""
    make = re.search(r"cd bot && \S+ -m patches\.train (.*)", _joined("Makefile"))
    image = re.search(r"cd bot && python -m patches\.train (.*?)(?:&&|$)", _joined("deploy/rasa.Dockerfile"), re.M)
    timed_source = (ROOT / "scripts/time_training.py").read_text(encoding="utf-8")
    timed = re.search(r'"-m", "patches\.train", (.*?)\],\s*cwd=ROOT / "bot"', timed_source, re.S)
    assert make and timed and image, "each of the three trains through python -m patches.train, from bot/"
    commands = {"make train": shlex.split(make[1]), "time_training.py": re.findall(r'"([^"]+)"', timed[1]),
                "rasa.Dockerfile": shlex.split(image[1])}
    kept = {name: _model_argv(argv) for name, argv in commands.items()}
    assert kept["make train"][kept["make train"].index("--augmentation") + 1] == "0", kept
    assert sorted(kept["time_training.py"]) == sorted(kept["make train"]) == sorted(kept["rasa.Dockerfile"]), kept


def test_the_training_commands_check_sees_a_difference():
    assert _model_argv(["--domain", "domain", "--out", "x", "--quiet", "-c", "fast.yml"]) == ["--domain", "domain", "-c", "fast.yml"]
    assert _model_argv(["core", "--augmentation", "0"]) != _model_argv(["--augmentation", "0"])
