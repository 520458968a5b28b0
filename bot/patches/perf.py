"""Less work per turn in the Rasa server, with the same answers (issue 12 item 7), applied with patches.speedups.

What bounds one Rasa replica is its one event loop: everything of a turn runs on it, one turn at a time
(py-spy under `make load`, README "Load"). Four changes, each leaving what Rasa computes unchanged:

1. `MessageProcessor.parse_message` embeds the message's text with e5 in a worker thread before the NLU pipeline
   runs (`nlu.embeddings.embed_ahead`), and awaits it: e5 is C code that lets go of the GIL, so the other core
   works on it while the event loop serves other conversations. The pipeline's classifier then takes that same
   vector (the same call, `model.query([text])`); the classification is the same.
2. `EndpointConfig.session` (the action server's client): Rasa 3.6 opens a new aiohttp session, so a new TCP
   connection, for every action call (a turn makes several). Here one session per endpoint and event loop keeps
   its connections open (aiohttp closes an idle one after 15 s; the action server keeps them 75 s and haproxy
   60 s, so a connection is never reused after the other side closed it). Same headers, same timeout.
   The session writes the request's JSON (the whole tracker, every action call) with ujson, already installed
   with Rasa, instead of the standard library's encoder (6 % of the server under `make load`): the same values
   on the other side. What ujson cannot write goes to the standard encoder, which raises its usual error, as
   before. Two things the standard encoder refuses ujson writes (a Decimal as a number, a tuple key as its
   text); a tracker's state holds neither (events, slots and parse data are JSON types).
3. `Event.resolve_by_type`, called for every event read from the tracker store or the action server, walked
   all subclasses of Event every time (2 % of the server); here that table is built once. The event classes
   are all imported when the model loads; a name not in the table goes to Rasa's own lookup, as before.
4. The SQL tracker store reads one column and saves without counting first (patches/tracker_store.py).

When it can go: 1 when the classifier has no e5 (then embed_ahead does nothing); 2 when Rasa's
`EndpointConfig.request` reuses a session (`grep -n "async with self.session()" rasa/utils/endpoints.py`
shows it does not in 3.6); 3 when `Event.resolve_by_type` no longer calls `all_subclasses`. Check with
`make load` (turns/s and p95) before and after removing one; tests/bot/patches/test_speedups.py.
"""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any

import aiohttp
import ujson


def _parse_message_ahead(original):
    @functools.wraps(original)
    async def parse_message(self, message, tracker=None, only_output_properties=True):
        if not self.http_interpreter:
            from nlu import embeddings

            await embeddings.embed_ahead(message.text)
        return await original(self, message, tracker, only_output_properties)

    parse_message.__meldhulp_patched__ = True  # type: ignore[attr-defined]
    return parse_message


class _KeptSession:
    """`async with` gives the kept session and leaves it open (Rasa's request() closes what session() gives)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: Any) -> bool:
        return False


_sessions: dict[tuple, aiohttp.ClientSession] = {}


def _dumps(value: Any) -> str:
    try:
        return ujson.dumps(value)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)


def _kept_session(self) -> _KeptSession:
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    key = (self.url, tuple(sorted(self.headers.items())), tuple(sorted(self.basic_auth.items())))
    session = _sessions.get(key)
    if session is None or session.closed or session._loop is not loop:  # a session belongs to one event loop
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = _sessions[key] = aiohttp.ClientSession(
            headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            json_serialize=_dumps,
        )
    return _KeptSession(session)


_kept_session.__meldhulp_patched__ = True  # type: ignore[attr-defined]


def _event_types() -> dict[str, type]:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    table: dict[str, type] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # the first one, as Rasa's loop returns
    return table


def _resolve_by_type(original):
    table: dict[str, type] = {}

    def resolve_by_type(type_name, default=None):
        if not table:
            table.update(_event_types())
        found = table.get(type_name)
        return found if found is not None else original(type_name, default)

    resolve_by_type.__meldhulp_patched__ = True  # type: ignore[attr-defined]
    return staticmethod(resolve_by_type)


def apply() -> None:
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    if getattr(MessageProcessor.parse_message, "__meldhulp_patched__", False):
        return
    from patches import tracker_store

    MessageProcessor.parse_message = _parse_message_ahead(MessageProcessor.parse_message)  # type: ignore[method-assign]
    EndpointConfig.session = _kept_session  # type: ignore[method-assign,assignment]
    Event.resolve_by_type = _resolve_by_type(Event.resolve_by_type)  # type: ignore[method-assign]
    tracker_store.apply()
