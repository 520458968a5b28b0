"""Start the action server and the Rasa server on free local ports, as `make run` does, for the
end-to-end test and the latency benchmark. Logs go to files so they can be checked for leaks."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
ACT_PY = ROOT / ".venv-actions" / "bin" / "python"
MODEL = ROOT / "models" / "meldhulp.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server stopped early, see {log}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s, see {log}")


def action_server_command(port: int) -> list[str]:
    """The action server with the token check and a loopback address (bot/patches/action_server.py); from bot/."""
    return [str(ACT_PY), "-m", "patches.action_server", "--actions", "actions", "--port", str(port)]


def rasa_command(port: int, token: str, endpoints: str = "endpoints.yml") -> list[str]:
    """The Rasa server on 127.0.0.1 with our logging configuration (no user text); from bot/."""
    return [str(RASA_PY), "-m", "rasa", "run", "--enable-api", "--model", str(MODEL), "--endpoints", endpoints,
            "--credentials", "credentials.yml", "--logging-config-file", "logging.yml", f"--auth-token={token}",  # a token may start with "-"
            "--port", str(port), "-i", "127.0.0.1"]


@dataclass
class Servers:
    rasa_url: str
    database_url: str
    env: dict
    logs: list[Path]
    rasa_token: str = ""
    action_url: str = ""  # the action server's base address (it needs the X-Action-Token header)
    processes: list = field(default_factory=list)  # [action server, Rasa server]

    def say(self, sender: str, message: str) -> list[dict]:
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def tracker(self, sender: str) -> dict:
        with urllib.request.urlopen(f"{self.rasa_url}/conversations/{sender}/tracker?token={self.rasa_token}", timeout=30) as response:
            return json.load(response)


@contextlib.contextmanager
def running(workdir: Path, database_url: str | None = None, extra_env: dict | None = None):
    """Migrate a database, load the protocols, start both servers; stop them afterwards."""
    import secrets

    from cryptography.fernet import Fernet

    workdir.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{workdir / 'meldhulp.db'}"
    action_port, rasa_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REPORT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_TELEMETRY_ENABLED": "false",
        "RASA_TOKEN": secrets.token_urlsafe(24),
        "BRIDGE_TOKEN": secrets.token_urlsafe(24),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "WIDGET_SECRET": os.environ.get("WIDGET_SECRET") or secrets.token_urlsafe(24),
        **(extra_env or {}),
    }
    env.pop("REPORT_ENCRYPTION_KEY_FILE", None)
    subprocess.run([str(ACT_PY), "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True)
    subprocess.run([str(ACT_PY), "-m", "actions.knowledge", "load"], cwd=ROOT / "bot", env=env, check=True, capture_output=True)
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    processes = []
    try:
        with open(action_log, "w") as out:
            processes.append(
                subprocess.Popen(
                    action_server_command(action_port),
                    cwd=ROOT / "bot", env=env, stdout=out, stderr=subprocess.STDOUT,
                )
            )
        _wait(f"http://127.0.0.1:{action_port}/health", 60, processes[0], action_log)
        with open(rasa_log, "w") as out:
            processes.append(
                subprocess.Popen(
                    rasa_command(rasa_port, env["RASA_TOKEN"]),
                    cwd=ROOT / "bot", env=env, stdout=out, stderr=subprocess.STDOUT,
                )
            )
        _wait(f"http://127.0.0.1:{rasa_port}/status?token={env['RASA_TOKEN']}", 180, processes[1], rasa_log)
        yield Servers(f"http://127.0.0.1:{rasa_port}", database_url, env, [action_log, rasa_log], env["RASA_TOKEN"],
                      f"http://127.0.0.1:{action_port}", processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
