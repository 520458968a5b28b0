"""Rasa 3.6's RedisLockStore made safe for several replicas, applied by bot/connectors.py.

The bug: RedisLockStore keeps a conversation's ticket lock as one JSON value and changes it by read, modify,
write (`issue_ticket`, `update_lock`, `cleanup`) without any atomicity. Two replicas that get a turn of the same
conversation at the same moment both read "no lock", both take ticket 0 and both run the turn; the second save
of the tracker then drops the first turn's events (tests/e2e/test_replicas.py lost one of two concurrent
"hallo"). Here each of those three read-modify-writes runs under a short Redis mutex per conversation
(redis-py's Lock: SET NX with an expiry, released by a token check), so tickets are issued one at a time and
the ticket queue Rasa built works as intended across processes.

`cleanup` (after every turn) also reads the lock once instead of twice: Rasa's finishes the ticket (get, save),
then asks whether anyone waits (get again) and deletes the lock when nobody does; under the mutex nothing changes
between those reads, so here one get, then a save when someone waits or a delete when nobody does: the same lock in
Redis afterwards, and fewer round trips, each of which blocked the replica's event loop (the Redis client is
synchronous): four instead of six when nobody waits (the usual case), four instead of five when someone does,
counting the mutex's take and release (Rasa's own cleanup, without the mutex this module adds: four and three).

When it can go: when the installed Rasa's RedisLockStore changes tickets atomically (Rasa Pro has a
concurrent lock store; Rasa Open Source 3.6 does not: `grep -n "def issue_ticket" -A12` in rasa/core/lock_store.py
still shows get, modify, save). Check with tests/e2e/test_replicas.py (two turns of one conversation at once).
"""

from __future__ import annotations

import functools

MUTEX_SECONDS = 10  # longest a replica may hold the mutex (a crash releases it after this)


def _under_mutex(method):
    @functools.wraps(method)
    def wrapper(self, conversation_id, *args, **kwargs):
        mutex = self.red.lock(f"{self.key_prefix}mutex:{conversation_id}", timeout=MUTEX_SECONDS,
                              blocking_timeout=MUTEX_SECONDS, sleep=0.005)
        with mutex:
            return method(self, conversation_id, *args, **kwargs)

    wrapper.__meldhulp_patched__ = True
    return wrapper


def _cleanup(self, conversation_id, ticket_number) -> None:
    """LockStore.cleanup with one read: finish serving the ticket; delete the lock when nobody waits, else save it."""
    lock = self.get_lock(conversation_id)
    if lock is None:
        return  # Rasa's deletes the missing key: nothing either way
    lock.remove_ticket_for(ticket_number)
    if lock.is_someone_waiting():
        self.save_lock(lock)
    else:
        self.delete_lock(conversation_id)


def apply() -> None:
    from rasa.core.lock_store import LockStore, RedisLockStore

    if getattr(RedisLockStore.issue_ticket, "__meldhulp_patched__", False):
        return
    for name in ("issue_ticket", "update_lock"):
        setattr(RedisLockStore, name, _under_mutex(getattr(LockStore, name)))
    RedisLockStore.cleanup = _under_mutex(_cleanup)
