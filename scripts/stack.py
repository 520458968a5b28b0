"""Our docker compose services as local commands, with the repository's virtual environments.

    python scripts/stack.py commands [SERVICE ...]

For each service of docker-compose.yml that we build (rasa, actions, web, telegram, signal; not the
third-party images postgres and signal-cli) this prints the command the container runs, as a shell
line for this checkout: the container's /app is the repository root, `python` is .venv-rasa's for
the Rasa image and .venv-actions' for the app image (both have our packages installed, as the images). The
line before it names the environment variables the service gets in docker-compose.yml; set them
(with local addresses instead of the compose service names) before running it.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
CONTAINER_ROOT = "/app"
VENVS = {"deploy/rasa.Dockerfile": ".venv-rasa", "deploy/app.Dockerfile": ".venv-actions"}


def own_services(compose_file: Path = COMPOSE) -> dict[str, dict]:
    """The services built from this repository (those with a `build` section), in file order."""
    compose = yaml.safe_load(compose_file.read_text(encoding="utf-8"))
    return {name: service for name, service in compose["services"].items() if "build" in service}


def shell_line(command: str | list[str]) -> str:
    """The container's command as one shell line (`sh -c LINE` gives LINE), `$$` unescaped."""
    if isinstance(command, str):
        return command.replace("$$", "$")
    return (command[2] if command[:2] == ["sh", "-c"] else shlex.join(command)).replace("$$", "$")


def local_dir(working_dir: str) -> Path:
    relative = Path(working_dir).relative_to(CONTAINER_ROOT)
    return ROOT / relative


def local_command(service: dict) -> str:
    """`(cd DIR && LINE)` with the venv's python in place of the image's."""
    python = ROOT / VENVS[service["build"]["dockerfile"]] / "bin" / "python"
    line = shell_line(service["command"])
    line = re.sub(r"(?<![\w/.-])exec\s+", "", line)  # exec replaces the container's shell, not yours
    line = re.sub(r"(?<![\w/.-])python(?=\s)", shlex.quote(str(python)), line)
    workdir = local_dir(service.get("working_dir", CONTAINER_ROOT))
    return f"(cd {shlex.quote(str(workdir))} && {line})"


def commands(names: list[str]) -> int:
    services = own_services()
    unknown = [n for n in names if n not in services]
    if unknown:
        print(f"not one of our services: {', '.join(unknown)} (choose from {', '.join(services)})", file=sys.stderr)
        return 2
    for name, service in services.items():
        if names and name not in names:
            continue
        env = service.get("environment") or {}
        print(f"# {name}: env {' '.join(env) if env else '(none)'}")
        print(local_command(service))
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "commands":
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return commands(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
