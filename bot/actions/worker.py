"""A background worker that runs one round, waits, and runs again: the outbox (notifications) and the
aftercare check-ins. Started as a thread by the action server (bot/patches/action_server.py) and alone
with `make outbox` / `make aftercare`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def loop(name: str, round_: Callable[[], int], stop: threading.Event, poll_seconds: float) -> None:
    """Run `round_` (returns how much it did), wait, again until `stop`; a failed round (the database may be
    down for a while) is logged by its error type only and tried again after the wait."""
    while not stop.is_set():
        try:
            done = round_()
            if done:
                log.info("%s: %s done", name, done)
        except Exception as error:
            log.error("%s round failed: %s", name, type(error).__name__)
        stop.wait(poll_seconds)


def start_thread(name: str, round_: Callable[[], int], poll_seconds: float) -> threading.Thread:
    """The worker as a daemon thread of the process that calls it."""
    worker = threading.Thread(target=loop, args=(name, round_, threading.Event(), poll_seconds), name=name, daemon=True)
    worker.start()
    return worker


def main(name: str, description: str, round_: Callable[[], int], poll_seconds: float, argv: list[str] | None) -> int:
    """The worker as a program: `--once` runs one round; otherwise until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--once", action="store_true", help="do what is due now and stop")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.once:
        print(f"{name}: {round_()} done", file=sys.stderr)
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    loop(name, round_, stop, poll_seconds)
    return 0
