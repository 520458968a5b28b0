"""Two Rasa replicas behind haproxy, the Rasa way (issue 12): the conversations in PostgreSQL (SQLTrackerStore),
the per-conversation lock in Redis (RedisLockStore), two action servers behind the balancer too.

One whole conversation, its turns sent to replica 1 and replica 2 alternately, is the same conversation as on
one server and files exactly one report; a few turns through the balancer itself, and both replicas answer the
same conversation concurrently without losing a turn. Needs haproxy, redis-server and PostgreSQL (.ci/run).
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

import servers

pytestmark = pytest.mark.e2e

STORY = "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont"
TURNS = [
    (STORY, "D-gedrag"),
    ('/inform{"role":"raadslid"}', "In welke gemeente"),
    ("Leiden", "Wilt u het melden bij de griffier?"),
    ("ja", "Wanneer was het?"),  # the story told who, where and how (pre-filled)
    ("gisteren rond 11 uur", "Waarom gebeurde het"),
    ("het besluit over de markt", "Klopt dit? Zal ik de melding indienen?"),
    ("/affirm", "Uw meldingsnummer is MLD-"),  # no contacts here: the user is told to inform the griffier
    ("ja", "al ingediend"),
]


def say(url: str, sender: str, message: str) -> str:
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"sender": sender, "message": message}).encode())
    with urllib.request.urlopen(request, timeout=120) as response:
        return "\n".join(m.get("text") or "" for m in json.load(response))


@pytest.fixture(scope="module")
def stack(e2e_dir):
    if not (shutil.which("haproxy") and shutil.which("redis-server")):
        pytest.skip("haproxy and redis-server are needed: apt-get install -y haproxy redis-server (.ci/run)")
    workdir = e2e_dir / "replicas"
    with servers.replicas(workdir, count=2) as running:
        yield running


def test_one_conversation_alternating_over_two_replicas_files_one_report(stack):
    sender = "replicas-markt"
    for i, (message, expected) in enumerate(TURNS):
        replica = stack.replica_urls[i % 2]
        assert expected in say(replica, sender, message), (i, message)

    engine = create_engine(stack.database_url)
    with engine.connect() as db:
        rows = db.execute(text("SELECT conversation_id, category FROM reports")).all()
    assert rows == [(sender, "D")]

    # Both replicas read the same conversation from the shared tracker store.
    trackers = []
    for url in stack.replica_urls:
        with urllib.request.urlopen(f"{url}/conversations/{sender}/tracker?token={stack.rasa_token}", timeout=30) as r:
            trackers.append(json.load(r))
    users = [[e["text"] for e in t["events"] if e["event"] == "user"] for t in trackers]
    assert users[0] == users[1] == [message for message, _ in TURNS]


def test_the_load_balancer_and_concurrent_turns_keep_one_conversation(stack):
    sender = "replicas-concurrent"
    assert "D-gedrag" in say(stack.rasa_url, sender, STORY)  # through haproxy
    # Two turns of one conversation at the same moment on the two replicas: the Redis lock serialises them.
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda url: say(url, sender, "hallo"), stack.replica_urls))
    assert all(answer.strip() for answer in answers)
    with urllib.request.urlopen(f"{stack.rasa_url}/conversations/{sender}/tracker?token={stack.rasa_token}", timeout=30) as r:
        events = json.load(r)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [STORY, "hallo", "hallo"]
