"""One Rasa server and action server for all end-to-end tests (starting them takes ~30 s).

The action server gets a local SMTP server and a contacts file in which Leiden's griffie is reachable by
e-mail, so the handoff to a person can be followed from the user's request to the griffier's inbox.
The servers write their logs under var/e2e/run-<pid>/ (runs older than two hours are removed), where
tests/e2e/test_zz_log_privacy.py reads every log after the other end-to-end tests. The widget secret is shared with this process, so the widget's
routes served by the tests accept the tokens the Rasa server issues.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time

import pytest

import servers
from core.config import get_settings

GRIFFIE_EMAIL = "griffie@leiden.example"
E2E_DIR = servers.ROOT / "var" / "e2e"


@pytest.fixture(scope="session")
def e2e_dir() -> servers.Path:
    """This run's directory under var/e2e (another run in the same checkout keeps its own)."""
    for old in E2E_DIR.glob("*"):
        if old.is_dir() and time.time() - old.stat().st_mtime > 2 * 3600:
            shutil.rmtree(old, ignore_errors=True)
    run = E2E_DIR / f"run-{os.getpid()}"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    return run


@pytest.fixture(scope="session")
def bot(smtp_server, e2e_dir) -> servers.Servers:
    if not servers.MODEL.exists():
        pytest.fail("no trained model: run 'make train' first")
    workdir = e2e_dir / "bot"
    workdir.mkdir(parents=True)
    contacts = workdir / "contacts.yml"
    contacts.write_text(f"leiden:\n  handoff:\n    notify: {{email: {GRIFFIE_EMAIL}}}\n    response_time: op werkdagen binnen een uur\n")
    env = {"SMTP_HOST": smtp_server.hostname, "SMTP_PORT": str(smtp_server.port), "CONTACTS_FILE": str(contacts),
           "GRIFFIE_URL": "http://griffie.test"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WIDGET_SECRET", os.environ.get("WIDGET_SECRET") or secrets.token_urlsafe(24))
        get_settings.cache_clear()
        with servers.running(workdir, extra_env=env) as running:
            yield running
    get_settings.cache_clear()
