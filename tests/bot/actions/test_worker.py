"""The background worker loop shared by the outbox and the aftercare check-ins (actions/worker.py)."""

import logging
import threading

from actions import worker


def test_a_failed_round_is_logged_by_type_only_and_the_loop_goes_on(caplog):
    stop = threading.Event()
    rounds = []

    def round_():
        rounds.append(1)
        if len(rounds) == 1:
            raise RuntimeError("geheim verhaal van de gebruiker")
        if len(rounds) == 3:
            stop.set()
        return 2

    with caplog.at_level(logging.INFO, logger="actions.worker"):
        worker.loop("test", round_, stop, 0)
    assert len(rounds) == 3
    assert "test round failed: RuntimeError" in caplog.text
    assert "geheim" not in caplog.text
    assert "test: 2 done" in caplog.text


def test_once_runs_one_round_and_stops(capsys):
    assert worker.main("test", "A worker.\n\nMore.", lambda: 4, 60, ["--once"]) == 0
    assert "test: 4 done" in capsys.readouterr().err


def test_the_thread_is_a_daemon_named_after_the_worker():
    ran = threading.Event()
    thread = worker.start_thread("probe", lambda: ran.set() or 0, 3600)
    assert ran.wait(5) and thread.daemon and thread.name == "probe"
