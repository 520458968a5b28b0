"""After the other end-to-end tests (this file runs last): no user text in any log file under var/ (issue 12).

The servers of the end-to-end tests write their logs under var/e2e/run-<pid>/ (tests/e2e/conftest.py), the
replicas' under its replicas/. Every *.log under var/ is read, whatever wrote it, and none may hold a word of the
stories and answers the tests sent (tests/e2e/test_rest_conversation.py, test_replicas.py, test_handoff.py).
"""

from __future__ import annotations

import pytest

import servers

pytestmark = pytest.mark.e2e

STORY_WORDS = ("landverrader", "ik weet waar je woont", "rode jas", "weekmarkt", "besluit over de markt",
               "schreeuwend, voor iedereen", "ongeveer 50")


def test_no_story_words_in_any_log_under_var(bot, e2e_dir):
    bot.say("e2e-log-check", "Hij riep dat ik een landverrader ben en hij weet waar je woont")  # one more, right now
    logs = sorted(p for p in (servers.ROOT / "var").rglob("*.log") if p.is_file())
    assert any(p.is_relative_to(e2e_dir) for p in logs), f"the e2e servers wrote no logs under {e2e_dir}"
    leaks = []
    for log in logs:
        text = log.read_text(errors="replace").lower()
        leaks += [(str(log.relative_to(servers.ROOT)), words) for words in STORY_WORDS if words.lower() in text]
    assert not leaks, leaks
