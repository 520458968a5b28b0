"""The images: which image each service runs (ours built from deploy/*.Dockerfile, the others pinned),
Dockerfiles that install from the committed lock files, set no secrets and copy only what the build
context holds, and the Rasa image's model, the one the server loads. Static checks only: nothing here
builds an image."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from tests.deploy._compose import LOCKS, ROOT, SECRET_NAME, dockerfile, option, own, python_runs


def test_services_use_the_image_of_their_environment(raw):
    images = {name: service["build"]["dockerfile"] for name, service in own(raw).items()}
    assert images == {"rasa": "deploy/rasa.Dockerfile", "actions": "deploy/app.Dockerfile", "web": "deploy/app.Dockerfile",
                      "telegram": "deploy/app.Dockerfile", "signal": "deploy/app.Dockerfile"}


def test_third_party_images_are_pinned(raw):
    for name, service in raw["services"].items():
        if "build" not in service:
            image, _, tag = service["image"].rpartition(":")
            assert image and tag and tag != "latest", f"{name}: pin a version, not {service['image']!r}"


def test_dockerfiles_set_no_secrets(raw):
    for name in {service["build"]["dockerfile"] for service in own(raw).values()}:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(ENV|ARG)\s", line):
                assert not SECRET_NAME.search(line), f"{name}: secrets come from compose's environment, not {line!r}"


@pytest.mark.parametrize("name, lock", sorted(LOCKS.items()))
def test_dockerfiles_install_from_the_committed_lock_files(name, lock):
    text = (ROOT / name).read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\S* AS \w+$", text, re.M), "build on python:3.11-slim"
    assert re.search(rf"^COPY {re.escape(lock)} requirements/$", text, re.M)
    assert re.search(r'pip install (-q )?"pip<25"', text)
    assert re.search(rf"pip install (-q )?--no-deps --ignore-requires-python -r {re.escape(lock)}", text)
    assert re.search(r"pip install (-q )?--no-deps -e \.", text), "our packages (pyproject.toml), as the Makefile installs them"
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0"), "the server runs as a non-root user"
    assert re.search(rf"useradd .*\b{re.escape(users[-1])}$", text, re.M)


def test_the_app_image_carries_the_widgets_npm_packages():
    text = (ROOT / "deploy" / "app.Dockerfile").read_text(encoding="utf-8")
    stage = re.search(r"^FROM node:20-slim AS (\w+)$", text, re.M)
    assert stage and re.search(r"^RUN npm ci\b", text, re.M)
    assert re.search(rf"^COPY --from={stage[1]} \S+/node_modules \./channels/widget/node_modules$", text, re.M)


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_what_the_dockerfiles_copy_exists_and_is_in_the_build_context(name):
    ignored = [line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    text = (ROOT / name).read_text(encoding="utf-8")
    sources = [word for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M) for word in line.split()[:-1]
               if not word.startswith("--")]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"{name} copies {source}, which is not in the repository"
        parts = Path(source).parts
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        hit = [p for p in ignored if any(fnmatch.fnmatch(prefix, p.removeprefix("**/")) for prefix in prefixes)]
        assert not hit, f"{name} copies {source}, but .dockerignore leaves it out ({hit})"
    for must in (".git", ".env", "var", "models"):
        assert must in ignored
    assert any(fnmatch.fnmatch(".venv-rasa", pattern) for pattern in ignored)


def test_the_rasa_image_trains_the_model_the_server_loads(raw):
    rasa = raw["services"]["rasa"]
    [(cwd, argv)] = python_runs(rasa)
    model = (cwd / option(argv, "--model")).resolve()
    _, text = dockerfile(rasa)
    train = re.search(r"cd (\S+) && python -m patches.train --domain (\S+) --out (\S+) --fixed-model-name (\S+)", text)
    assert train, "deploy/rasa.Dockerfile trains the model (patches.train --domain ... --out ... --fixed-model-name ...)"
    assert (ROOT / train[1] / train[2]).is_dir(), "the domain is a folder, one file per topic"
    trained = (ROOT / train[1] / train[3] / f"{train[4]}.tar.gz").resolve()
    assert trained == model
    assert "scripts/build_spacy_nl.py models/spacy-nl" in text, "the pipeline in bot/config.yml needs models/spacy-nl"
