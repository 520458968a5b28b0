"""One Rasa server and action server for all end-to-end tests (starting them takes ~30 s).

The action server gets a local SMTP server and a contacts file in which Leiden's griffie is reachable by
e-mail, so the handoff to a person can be followed from the user's request to the griffier's inbox.
"""

from __future__ import annotations

import pytest

import servers

GRIFFIE_EMAIL = "griffie@leiden.example"


@pytest.fixture(scope="session")
def bot(tmp_path_factory, smtp_server) -> servers.Servers:
    if not servers.MODEL.exists():
        pytest.fail("no trained model: run 'make train' first")
    workdir = tmp_path_factory.mktemp("e2e")
    contacts = workdir / "contacts.yml"
    contacts.write_text(f"leiden:\n  handoff:\n    notify: {{email: {GRIFFIE_EMAIL}}}\n    response_time: op werkdagen binnen een uur\n")
    env = {"SMTP_HOST": smtp_server.hostname, "SMTP_PORT": str(smtp_server.port), "CONTACTS_FILE": str(contacts),
           "GRIFFIE_URL": "http://griffie.test"}
    with servers.running(workdir, extra_env=env) as running:
        yield running
