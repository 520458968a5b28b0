"""What the deploy tests share (tests/deploy/test_compose.py, test_images.py, test_training_commands.py): the
repository's paths, Compose's variable interpolation, deploy/.env.example, and reading the services' commands and
Dockerfiles from docker-compose.yml. The fixtures `raw` and `compose` are in tests/deploy/conftest.py."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"
CONTAINER_ROOT = "/app"

SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|KEY")
# The lock each of our Dockerfiles installs from.
LOCKS = {"deploy/rasa.Dockerfile": "requirements/rasa.lock.txt", "deploy/app.Dockerfile": "requirements/actions.lock.txt"}


# --- Compose's variable interpolation -------------------------------------------------------------

class MissingVariable(Exception):
    pass


_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.S)


def interpolate_string(text: str, env: dict[str, str]) -> str:
    """`$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`,
    `${VAR:+alt}`, `${VAR+alt}` as the Compose specification defines them (no nesting)."""

    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        braced = _BRACED.fullmatch(match["braced"])
        assert braced and "${" not in match["braced"], f"unsupported interpolation: {match[0]}"
        name, op, arg = braced["name"], braced["op"], braced["arg"]
        value = env.get(name)
        if op is None:
            return value or ""
        if op in (":-", "-"):
            return value if (value if op == ":-" else value is not None) else arg
        if op in (":?", "?"):
            if not (value if op == ":?" else value is not None):
                raise MissingVariable(f"{name}: {arg}")
            return value
        return arg if (value if op == ":+" else value is not None) else ""

    return _VARIABLE.sub(replace, text)


def interpolate(node, env: dict[str, str]):
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, env) for value in node]
    return interpolate_string(node, env) if isinstance(node, str) else node


def variables_in(node) -> set[str]:
    """Every variable a string in the file refers to (`$$` is not one)."""
    names = set()
    for text in strings_in(node):
        for match in _VARIABLE.finditer(text):
            if match["named"]:
                names.add(match["named"])
            elif match["braced"] is not None:
                names.add(_BRACED.fullmatch(match["braced"])["name"])
    return names


def strings_in(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings_in(value)
    elif isinstance(node, str):
        yield node


# --- helpers ---------------------------------------------------------------------------------------

def env_example() -> dict[str, str]:
    entries = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"not NAME=value: {line!r}"
            entries[name.strip()] = value
    return entries


def dummy_env() -> dict[str, str]:
    return {name: f"dummy-{name.lower()}" for name in env_example()}


def own(raw: dict) -> dict[str, dict]:
    """Services built from this repository (the others are third-party images)."""
    return {name: service for name, service in raw["services"].items() if "build" in service}


def shell_line(command) -> str:
    if isinstance(command, list):
        return command[2] if command[:2] == ["sh", "-c"] else shlex.join(command)
    return command


def container_to_repo(path: str) -> Path:
    return ROOT / Path(path).relative_to(CONTAINER_ROOT)


def python_runs(service: dict) -> list[tuple[Path, list[str]]]:
    """(working directory in the repository, argv after `python`) for every python the command runs."""
    cwd = container_to_repo(service.get("working_dir", CONTAINER_ROOT))
    runs = []
    for segment in re.split(r"&&|;", shell_line(service["command"]).replace("$$", "$")):
        words = shlex.split(segment)
        if words[:1] == ["exec"]:
            words = words[1:]
        if words[:1] == ["cd"]:
            cwd = (cwd / words[1]).resolve()
        elif words[:1] == ["python"]:
            runs.append((cwd, words[1:]))
    return runs


def option(argv: list[str], name: str) -> str:
    assert name in argv, f"{name} missing in {argv}"
    return argv[argv.index(name) + 1]


def dockerfile(service: dict) -> tuple[str, str]:
    name = service["build"]["dockerfile"]
    return name, (ROOT / service["build"].get("context", ".") / name).read_text(encoding="utf-8")
