"""The docker compose deployment: docker-compose.yml against the Compose specification, no secrets in
files, every service health-checked on a route our code serves, commands that name existing code,
and scripts/stack.py (the same services without Docker). Static checks only: nothing here builds an
image or starts a container. The images: test_images.py; the training commands: test_training_commands.py."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import importlib
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft7Validator, Draft201909Validator, Draft202012Validator

from tests.deploy._compose import (
    CONTAINER_ROOT,
    LOCKS,
    ROOT,
    SECRET_NAME,
    MissingVariable,
    container_to_repo,
    dockerfile,
    dummy_env,
    env_example,
    interpolate,
    option,
    own,
    python_runs,
    variables_in,
)

HERE = Path(__file__).resolve().parent
SCHEMA_FILE = HERE / "compose-spec.json"
ENDPOINTS = ROOT / "deploy" / "endpoints.yml"
IMAGE_PACKAGE_ROOTS = ["bot", "."]  # pyproject.toml package-dir: actions, nlu, ... in bot/; channels, core at the top

REQUIRED_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?[^}]+\}")
# What the brief names as secrets: each must stop `docker compose` when missing.
REQUIRED = ["POSTGRES_PASSWORD", "MELDHULP_DB_PASSWORD", "RASA_DB_PASSWORD", "RASA_TOKEN", "REPORT_ENCRYPTION_KEY",
            "GRIFFIE_SECRET", "BRIDGE_TOKEN", "TELEGRAM_BOT_TOKEN", "SIGNAL_NUMBER", "SMTP_PASSWORD", "WEBHOOK_SECRET"]
# Python modules run with -m that come from an installed distribution, and the lock that pins it.
THIRD_PARTY_MODULES = {"rasa": "rasa", "rasa_sdk": "rasa-sdk", "alembic": "alembic"}


# --- helpers ---------------------------------------------------------------------------------------

def environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def health_url(service: dict) -> tuple[int, str]:
    test = " ".join(service["healthcheck"]["test"]) if isinstance(service["healthcheck"]["test"], list) else service["healthcheck"]["test"]
    match = re.search(r"https?://[^'\"\s]+", test)
    assert match, f"no URL in the health check {test!r}"
    url = urlsplit(match[0])
    return url.port, url.path or "/"


def routes(app) -> set[tuple[str, str]]:
    return {(route.method, route.resource.canonical) for route in app.router.routes()}


# --- the Compose specification ----------------------------------------------------------------------

def schema_validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    drafts = {"draft-07": Draft7Validator, "draft/2019-09": Draft201909Validator, "draft/2020-12": Draft202012Validator}
    matching = [cls for key, cls in drafts.items() if key in schema.get("$schema", "")]
    assert len(matching) == 1, f"unknown $schema {schema.get('$schema')!r}"
    matching[0].check_schema(schema)
    return matching[0](schema)


def schema_errors(document: dict) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in schema_validator().iter_errors(document)]


def test_the_vendored_schema_is_the_one_the_readme_records():
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest()
    assert digest in readme, "tests/deploy/compose-spec.json changed: record its source and sha256 in tests/deploy/README.md"
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification" and "services" in schema["properties"]


def test_compose_file_follows_the_compose_specification(compose):
    assert schema_errors(compose) == []


@pytest.mark.parametrize("mistake", ["unknown key", "bad condition", "bad interval"])
def test_the_schema_check_catches_mistakes(compose, mistake):
    broken = copy.deepcopy(compose)
    web = broken["services"]["web"]
    if mistake == "unknown key":
        web["helthcheck"] = web.pop("healthcheck")
    elif mistake == "bad condition":
        web["depends_on"]["postgres"]["condition"] = "healthy"
    else:
        web["healthcheck"]["interval"] = 15  # a duration is a string: "15s"
    assert schema_errors(broken)


# --- secrets and settings ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", REQUIRED)
def test_a_missing_secret_stops_compose(raw, name):
    env = dummy_env()
    del env[name]
    with pytest.raises(MissingVariable, match=name):
        interpolate(raw, env)
    with pytest.raises(MissingVariable, match=name):
        interpolate(raw, {**env, name: ""})  # `:?` also refuses an empty value


def test_secrets_are_references_to_the_environment_never_literals(raw):
    for service_name, service in raw["services"].items():
        for name, value in environment(service).items():
            if SECRET_NAME.search(name):
                assert isinstance(value, str) and REQUIRED_REFERENCE.fullmatch(value), \
                    f"{service_name}: {name} must be a ${{VAR:?message}} reference, not {value!r}"
            for user_info in re.findall(r"://((?:\$\{[^}]*\}|[^/@\s$])*)@", str(value or "")):  # scheme://user:password@host
                _, sep, password = user_info.partition(":")
                assert not sep or REQUIRED_REFERENCE.fullmatch(password), \
                    f"{service_name}: {name} has a literal password in its URL"


def test_every_variable_is_documented_in_env_example_and_none_is_stale(raw):
    documented = env_example()
    used = variables_in(raw)
    assert used - set(documented) == set(), "add these to deploy/.env.example"
    assert set(documented) - used == set(), "deploy/.env.example lists variables docker-compose.yml does not use"
    assert {name: value for name, value in documented.items() if value.strip()} == {}, "deploy/.env.example holds no values"


def test_env_files_stay_out_of_git_and_out_of_images():
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


# --- services ---------------------------------------------------------------------------------------

def test_the_nine_services(raw):
    assert set(raw["services"]) == {"postgres", "redis", "lb", "rasa", "actions", "web", "telegram", "signal-cli", "signal"}
    assert set(own(raw)) == {"rasa", "actions", "web", "telegram", "signal"}


def test_every_service_has_a_health_check(raw):
    for name, service in raw["services"].items():
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), f"{name} has no restart policy"


def test_health_checks_of_our_images_use_python_not_curl(raw):
    for name, service in own(raw).items():
        assert service["healthcheck"]["test"][:3] == ["CMD", "python", "-c"], f"{name}: slim images have no curl"


def test_dependencies_wait_for_health_where_it_matters(raw):
    services = raw["services"]
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert isinstance(spec, dict) and "condition" in spec, f"{name} -> {dependency}: give a condition"
            if dependency in ("postgres", "signal-cli", "actions"):
                assert spec["condition"] == "service_healthy", f"{name} must wait until {dependency} is healthy"
    for name in ("actions", "rasa", "web"):
        assert "postgres" in services[name]["depends_on"], f"{name} uses the database"
    assert "actions" in services["web"]["depends_on"], "web reads tables the action server's migration creates"
    assert "signal-cli" in services["signal"]["depends_on"]


def test_only_web_and_the_load_balancer_are_published_and_the_stores_have_no_way_out(raw):
    published = {name: service["ports"] for name, service in raw["services"].items() if service.get("ports")}
    assert published == {"web": ["8080:8080"], "lb": ["5005:5005"]}
    internal = {name for name, network in raw["networks"].items() if (network or {}).get("internal")}
    for name in ("postgres", "redis", "rasa"):  # the replicas are reached through lb only
        assert set(raw["services"][name]["networks"]) <= internal, name
    for name in ("web", "lb"):  # a published port needs a network that is not internal
        assert set(raw["services"][name]["networks"]) - internal, name


def test_named_volumes_keep_the_data(raw):
    mounts = {name: [v.split(":")[:2] for v in service.get("volumes", [])] for name, service in raw["services"].items()}
    assert ["pgdata", "/var/lib/postgresql/data"] in mounts["postgres"]
    assert ["signal-cli-data", "/home/.local/share/signal-cli"] in mounts["signal-cli"]
    assert {"pgdata", "signal-cli-data"} <= set(raw["volumes"])
    assert raw["services"]["signal-cli"]["environment"]["MODE"] == "json-rpc"


@pytest.mark.parametrize("service_name", ["rasa", "actions", "web", "telegram", "signal"])
def test_commands_run_code_that_exists(raw, service_name):
    service = raw["services"][service_name]
    lock = (ROOT / LOCKS[service["build"]["dockerfile"]]).read_text(encoding="utf-8").lower()
    runs = python_runs(service)
    assert runs, f"{service_name} runs no python"
    for cwd, argv in runs:
        search = [cwd, *(ROOT / p for p in IMAGE_PACKAGE_ROOTS)]
        if argv[0] != "-m":
            assert (cwd / argv[0]).is_file(), f"{service_name}: {argv[0]} not found"
            continue
        module = argv[1]
        top = module.split(".")[0]
        if top in THIRD_PARTY_MODULES:
            assert f"\n{THIRD_PARTY_MODULES[top]}==" in "\n" + lock, f"{service_name}: {top} is not in the image's lock"
        else:
            path = module.replace(".", "/")
            found = [d for d in search if (d / f"{path}.py").is_file() or (d / path / "__main__.py").is_file()]
            assert found, f"{service_name}: python -m {module} finds neither {path}.py nor {path}/__main__.py"
        if module == "rasa_sdk":
            package = option(argv, "--actions").replace(".", "/")
            assert any((d / package / "__init__.py").is_file() for d in search), f"action package {package} missing"
        if module == "alembic":
            assert (cwd / "alembic.ini").is_file()
        if module == "rasa":
            for name in ("--endpoints", "--credentials"):
                assert (cwd / option(argv, name)).is_file(), f"{option(argv, name)} missing"


def test_health_checks_use_the_port_each_server_listens_on_and_a_route_it_serves(raw, monkeypatch):
    services = raw["services"]
    # the Rasa server and the action server: --port, and the routes of the installed packages
    for name, route in (("rasa", "/"), ("actions", "/health")):
        port, path = health_url(services[name])
        assert path == route
        assert str(port) == option(python_runs(services[name])[-1][1], "--port")
    sdk = importlib.util.find_spec("rasa_sdk.endpoint")
    assert '@app.get("/health")' in Path(sdk.origin).read_text(encoding="utf-8")
    rasa_server = next((ROOT / ".venv-rasa" / "lib").glob("python3*/site-packages/rasa/server.py"), None)
    if rasa_server:  # the Rasa environment is not importable from here; read its source when installed
        assert '@app.get("/")' in rasa_server.read_text(encoding="utf-8")
    # our published ports reach the servers' ports; lb forwards 5005 to the replicas' --port
    assert services["web"]["ports"][0].split(":")[-1] == str(health_url(services["web"])[0])
    haproxy = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    assert services["lb"]["ports"] == ["5005:5005"] and re.search(r"^\s+bind :5005$", haproxy, re.M)
    assert re.search(r"server-template rasa \d+ rasa:(\d+) check", haproxy)[1] == str(health_url(services["rasa"])[0])
    assert f"server-template rasa {services['rasa']['deploy']['replicas']} " in haproxy
    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in services["lb"]["volumes"]

    # web: GET /health of channels.web's app, on WEB_PORT (default in core/config.py)
    port, path = health_url(services["web"])
    monkeypatch.setenv("GRIFFIE_SECRET", "x" * 32)
    web = importlib.import_module("channels.web")  # fails until channels/web.py exists
    assert ("GET", path) in routes(web.make_app())
    from core.config import Settings

    assert str(port) == str(environment(services["web"]).get("WEB_PORT") or Settings().web_port)

    # the bridges: GET /health from channels.bridge.send_app, on BRIDGE_PORT (default in each Config)
    from channels.bridge import send_app

    async def deliver(*_):
        pass

    for name, module in (("telegram", "channels.telegram.bridge"), ("signal", "channels.signal.bridge")):
        port, path = health_url(services[name])
        assert ("GET", path) in routes(send_app(deliver, "token"))
        bridge = importlib.import_module(module)
        assert "send_app" in Path(bridge.__file__).read_text(encoding="utf-8"), f"{module} serves send_app"
        default = {f.name: f.default for f in dataclasses.fields(bridge.Config)}["port"]
        assert port == int(environment(services[name]).get("BRIDGE_PORT") or default), name


def test_bridges_and_web_find_each_other_by_service_name(compose):
    services = compose["services"]
    web = environment(services["web"])
    for name, variable in (("telegram", "TELEGRAM_BRIDGE_URL"), ("signal", "SIGNAL_BRIDGE_URL")):
        url = urlsplit(web[variable])
        assert (url.hostname, url.port) == (name, health_url(services[name])[0])
    signal_api = urlsplit(environment(services["signal"])["SIGNAL_API_URL"])
    assert signal_api.hostname == "signal-cli" and signal_api.port == 8080
    for name in ("web", "telegram", "signal"):  # through the load balancer, never one replica
        assert environment(services[name])["RASA_URL"] == "http://lb:5005"


# --- PostgreSQL: two databases, and Rasa's tracker store in one of them --------------------------------

def test_postgres_init_creates_the_databases_the_services_use(compose):
    services = compose["services"]
    script = ROOT / "deploy" / "postgres-init" / "10-databases.sh"
    assert os.access(script, os.X_OK)
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in services["postgres"]["volumes"]
    text = script.read_text(encoding="utf-8")
    created = set(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+)", text))
    for variable in re.findall(r"\$\{?(\w+_PASSWORD)", text):
        assert variable in services["postgres"]["environment"], f"the init script reads {variable}"
    for name in ("actions", "web"):
        url = urlsplit(environment(services[name])["DATABASE_URL"])
        assert url.scheme == "postgresql" and url.hostname == "postgres"
        assert (url.path.lstrip("/"), url.username) in created
        assert url.password == services["postgres"]["environment"]["MELDHULP_DB_PASSWORD"]
    rasa = environment(services["rasa"])
    assert (rasa["DB_NAME"], rasa["DB_USER"]) in created
    assert rasa["DB_PASSWORD"] == services["postgres"]["environment"]["RASA_DB_PASSWORD"]


class RasaLoader(yaml.SafeLoader):
    """Loads YAML as Rasa 3.6 does (rasa.shared.utils.io): ${VAR} in plain scalars from the environment."""


RasaLoader.add_implicit_resolver("!env_var", re.compile(r"^(.*)\$\{(.*)\}(.*)$"), None)
RasaLoader.add_constructor("!env_var", lambda loader, node: os.path.expandvars(loader.construct_scalar(node)))


def test_rasa_keeps_conversations_in_postgres(compose, monkeypatch):
    rasa = compose["services"]["rasa"]
    [(cwd, argv)] = python_runs(rasa)
    assert (cwd / option(argv, "--endpoints")).resolve() == ENDPOINTS
    assert "COPY deploy/endpoints.yml" in dockerfile(rasa)[1]
    text = ENDPOINTS.read_text(encoding="utf-8")
    raw_store = yaml.safe_load(text)["tracker_store"]
    for key in ("url", "port", "db", "username", "password"):
        assert re.fullmatch(r"\$\{\w+\}", str(raw_store[key])), f"tracker_store.{key} comes from the environment"
    assert re.search(r"^\s+password: \$\{\w+\}$", text, re.M), "unquoted: Rasa substitutes only plain scalars"
    env = environment(rasa)
    settings = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for name in re.findall(r"\$\{(\w+)\}", settings):
        assert name in env, f"deploy/endpoints.yml needs {name} in the rasa service's environment"
        monkeypatch.setenv(name, str(env[name]))
    loaded = yaml.load(text, Loader=RasaLoader)  # noqa: S506 - a SafeLoader subclass
    store = loaded["tracker_store"]
    assert (store["type"], store["dialect"]) == ("SQL", "postgresql")
    assert (store["url"], store["port"], store["db"], store["username"]) == ("postgres", "5432", env["DB_NAME"], env["DB_USER"])
    assert store["password"] == env["DB_PASSWORD"] == compose["services"]["postgres"]["environment"]["RASA_DB_PASSWORD"]
    assert loaded["action_endpoint"]["url"] == "http://actions:5055/webhook"
    # the replicas share the locks in Redis (Rasa 3.6 RedisLockStore: "url" is the host)
    lock = loaded["lock_store"]
    assert (lock["type"], lock["url"], lock["port"]) == ("redis", "redis", "6379")
    assert lock["password"] == env["REDIS_PASSWORD"] == compose["services"]["redis"]["environment"]["REDIS_PASSWORD"]
    assert compose["services"]["rasa"]["deploy"]["replicas"] == 2
    # the action server requires the token Rasa sends (bot/patches/action_server.py)
    assert loaded["action_endpoint"]["headers"]["X-Action-Token"] == env["ACTION_SERVER_TOKEN"]
    actions = compose["services"]["actions"]
    assert environment(actions)["ACTION_SERVER_TOKEN"] == env["ACTION_SERVER_TOKEN"]
    assert python_runs(actions)[-1][1][:2] == ["-m", "patches.action_server"]
    # the rest is bot/endpoints.yml
    local = yaml.safe_load((ROOT / "bot" / "endpoints.yml").read_text(encoding="utf-8"))
    assert {k: v for k, v in yaml.safe_load(text).items() if k in local} == local


# --- scripts/stack.py: the same services without Docker ----------------------------------------------

def test_stack_commands_cover_every_service_we_build(raw):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "stack.py"), "commands"],
                          capture_output=True, text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    printed = {}
    for comment, command in zip(lines[::2], lines[1::2], strict=True):
        name = re.match(r"# ([\w-]+): env", comment)[1]
        printed[name] = command
    assert set(printed) == set(own(raw))
    for name, command in printed.items():
        venv = ".venv-rasa" if name == "rasa" else ".venv-actions"
        assert f"{ROOT / venv / 'bin' / 'python'} -m" in command, name
        assert re.search(r"(^|[\s(])python\s", command) is None, f"{name}: every python is the venv's"
        for _, argv in python_runs(raw["services"][name]):
            assert shlex.join(argv[:2]) in command
        workdir = container_to_repo(raw["services"][name].get("working_dir", CONTAINER_ROOT))
        assert command.startswith(f"(cd {workdir} && ")
    assert "exec " not in done.stdout and "$$" not in done.stdout
