"""`make purge [NOW=2031-06-01]`: erase what is past retention (AVG), from the configured stores.

Reports closed longer ago than REPORT_RETENTION (per final status) or marked for erasure by their user
(ERASURE_REPORT_DAYS) are deleted with their history, additions, outbox rows and handoffs, and their conversation
is erased from Rasa's tracker store (TRACKER_STORE_URL, else through Rasa's API). Erasures the bot queued
("verwijder mijn gegevens") that are due are run too, and conversations that filed no report are erased
CONVERSATION_RETENTION_DAYS after their last message. Every purged report leaves an audit row without content.
Prints one line per purged report (reference and why), never content. Schedule it daily (cron, a systemd timer).
"""

from __future__ import annotations

import argparse
import socket
import sys
from datetime import UTC, datetime

from actions import outbox
from actions.store import retention


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"geen datum (JJJJ-MM-DD of ISO-tijd): {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--now", type=_moment, default=None, help="the moment to judge retention at (default: now)")
    args = parser.parse_args(argv)
    now = args.now or datetime.now(UTC)
    erased = outbox.deliver_pending(now, kinds=("erase",))
    purged = retention.purge_expired(now, address=socket.gethostname()[:64])
    for item in purged:
        print(f"{item.reference}\t{item.why}\t{item.tracker}")
    failed = False
    try:
        pruned = retention.prune_conversations(now)
    except Exception as error:  # the tracker store unreachable: the reports above are purged all the same
        pruned, failed = None, True
        print(f"purge: gesprekken zonder melding niet gewist ({type(error).__name__}); de volgende run probeert het "
              "opnieuw", file=sys.stderr)
    if failed:
        silent = "gesprekken zonder melding: mislukt"
    elif pruned is None:
        silent = "gesprekken zonder melding staan in Rasa's geheugen (weg bij herstart)"
    elif retention.pruning_off():
        silent = "gesprekken zonder melding: uitgeschakeld (CONVERSATION_RETENTION_DAYS=0)"
    else:
        silent = f"{pruned} stille gesprekken zonder melding gewist"
    print(f"purge: {len(purged)} meldingen gewist, {erased} gesprekken gewist op verzoek, {silent}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
