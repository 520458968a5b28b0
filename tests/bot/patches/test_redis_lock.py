"""The lock store's cleanup with one read (patches/redis_lock.py) leaves Redis as Rasa's own cleanup does, with fewer
round trips. Runs in the Rasa environment (make unit, marker `rasa`) against a real redis-server on 127.0.0.1 (.ci/run
installs it); the two-replica e2e test runs the whole lock across processes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

pytestmark = pytest.mark.rasa
pytest.importorskip("rasa")  # the Rasa environment only (make unit runs it there)
redis_lock = pytest.importorskip("patches.redis_lock")

from rasa.core.lock_store import LockStore, RedisLockStore  # noqa: E402

import servers  # noqa: E402

redis_lock.apply()
RASAS_CLEANUP = redis_lock._under_mutex(LockStore.cleanup)  # Rasa's, under the same mutex


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    if not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (.ci/run installs it)")
        pytest.skip("no redis-server here: apt-get install -y redis-server")
    port = servers.free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                              stdout=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield port
    server.terminate()
    server.wait(10)


class Counted:
    """The store's Redis client, counting the commands (round trips) it sends."""

    def __init__(self, red) -> None:
        self.red, self.commands = red, 0
        original = red.execute_command

        def execute_command(*args, **kwargs):
            self.commands += 1
            return original(*args, **kwargs)

        red.execute_command = execute_command


def lock_after(store: RedisLockStore, cleanup, tickets: int, finish: int) -> tuple[str | None, int]:
    """Issue `tickets` tickets for one conversation, clean up ticket `finish`: the lock left in Redis, the commands."""
    for _ in range(tickets):
        store.issue_ticket("c1")
    counted = Counted(store.red)
    cleanup(store, "c1", finish)
    lock = store.get_lock("c1")
    left = [t.number for t in lock.tickets] if lock else None
    store.red.delete(store.key_prefix + "c1")
    return (str(left), counted.commands)


@pytest.mark.parametrize("tickets,finish", [(1, 0), (2, 0), (3, 1), (2, 5), (0, 0)])
def test_cleanup_leaves_the_lock_rasas_cleanup_leaves_with_fewer_round_trips(redis_port, tickets, finish):
    rasa = RedisLockStore(port=redis_port, key_prefix="rasa")
    ours = RedisLockStore(port=redis_port, key_prefix="ours")
    for store, cleanup in ((rasa, RASAS_CLEANUP), (ours, RedisLockStore.cleanup)):
        store.issue_ticket("warm")
        cleanup(store, "warm", 0)  # the mutex's release script is loaded into Redis once
    theirs_left, theirs_commands = lock_after(rasa, RASAS_CLEANUP, tickets, finish)
    ours_left, ours_commands = lock_after(ours, RedisLockStore.cleanup, tickets, finish)
    expected = {(1, 0): None, (2, 0): [1], (3, 1): [0, 2], (2, 5): [0, 1], (0, 0): None}[(tickets, finish)]
    assert ours_left == theirs_left == str(expected)
    if tickets:  # nobody waits: one read and one save fewer (get, delete); someone waits: one read fewer
        assert ours_commands == theirs_commands - (2 if expected is None else 1)
