"""Retention (AVG): reports are erased when their time is up, with everything about them.

A report is past retention when it reached a final status (afgesloten, ingetrokken: closed_at) longer ago than
REPORT_RETENTION says for that status, or when the user asked for erasure (erase_after, ERASURE_REPORT_DAYS).
Purging deletes the report, its status history and additions, its outbox rows, its aftercare (consent and
check-ins, store/aftercare.py), its evidence (store/evidence.py; evidence no report took goes after
EVIDENCE_UNFILED_DAYS), the handoffs of that conversation
and the conversation's tracker events (the transcript), and writes one audit row per report without content. The
bridges' delivered idempotency keys (store/sent.py, hashed) go after seven days.
A conversation that filed no report and has no open handoff is erased from Rasa's SQL tracker store
CONVERSATION_RETENTION_DAYS after its last message, with its handoffs (prune_conversations). `make purge` (scripts/purge.py) runs both; schedule it daily.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from actions.store import aftercare, audit, db, drafts, erasure, sent
from actions.store import evidence as evidence_store
from actions.store.models import Report
from core.config import SettingsError, get_settings

log = logging.getLogger(__name__)
PURGE_ACTOR = "systeem:purge"


def retention_days(value: str | None = None) -> dict[str, int]:
    """REPORT_RETENTION ("afgesloten=1825,ingetrokken=1825") as {status: days}."""
    from actions.store.models import FINAL_STATUSES

    value = get_settings().report_retention if value is None else value
    days: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        status, sep, number = part.partition("=")
        status = status.strip().replace(" ", "_")
        if not sep or not number.strip().isdigit() or status not in FINAL_STATUSES:
            raise SettingsError(f"REPORT_RETENTION: {part!r} is not <status>=<days> for a status in {FINAL_STATUSES}")
        days[status] = int(number)
    return days


@dataclass(frozen=True)
class Purged:
    reference: str
    why: str  # "bewaartermijn afgesloten (1825 dagen)" or "verzoek melder"
    tracker: str  # how the conversation was erased, or why not


def purge_expired(now: datetime | None = None, address: str = "") -> list[Purged]:
    """Erase every report past retention at `now` (a fake clock in the tests). The tracker events go first: when
    that fails the report stays, and the next run tries again (nothing is half gone without a trace)."""
    from actions.store import tracker

    now = now or datetime.now(UTC)
    days = retention_days()
    with db.session() as session:
        due = [(r.id, r.reference, r.conversation_id, r.status, r.erase_after)
               for r in erasure.reports_due_for_purge(session, now, days)]
    done = []
    for report_id, reference, conversation_id, status, erase_after in due:
        why = ("verzoek melder" if erase_after is not None and _utc(erase_after) <= now
               else f"bewaartermijn {status} ({days.get(status)} dagen)")
        try:
            how = tracker.erase_conversation(conversation_id)
        except Exception as error:  # Rasa or its database unreachable: keep the report for the next run
            log.error("purge %s: conversation not erased (%s); report kept", reference, type(error).__name__)
            continue
        with db.transaction() as session:
            report = session.get(Report, report_id)
            if report is None:
                continue
            aftercare.delete_for_report(session, report.id)
            evidence_store.delete_for_report(session, report)  # photos, PDFs, links (issue 14)
            erasure.delete_report(session, report)
            erasure.delete_handoffs(session, conversation_id)
            audit.record_audit(session, PURGE_ACTOR, "purged", reference=reference, address=address,
                               detail=why, now=now)
        log.info("purged %s (%s)", reference, why)
        done.append(Purged(reference, why, how))
    with db.transaction() as session:  # evidence no report took, older than EVIDENCE_UNFILED_DAYS (issue 14)
        unfiled = evidence_store.delete_unfiled(session, now, get_settings().evidence_unfiled_days)
    with db.transaction() as session:  # paused reports older than 24 hours (issue 13)
        expired_drafts = drafts.purge_expired(session, now)
    with db.transaction() as session:  # the bridges' delivered idempotency keys, after seven days
        sent.forget_old(session, now)
    if expired_drafts:
        log.info("purged %d paused report draft(s)", expired_drafts)
    if unfiled:
        log.info("purged %d evidence item(s) no report took", unfiled)
    return done


def pruning_off() -> bool:
    """CONVERSATION_RETENTION_DAYS=0: conversations without a report are never pruned."""
    return get_settings().conversation_retention_days < 1


def prune_conversations(now: datetime | None = None) -> int | None:
    """Erase the conversations that filed no report, have no handoff still open and were silent longer than
    CONVERSATION_RETENTION_DAYS (0: never): their tracker events, then their handoffs. Returns how many, or None
    without an SQL tracker store (memory: gone at restart). A conversation that speaks again or files a report while
    this runs keeps everything: both are checked at the moment of erasing."""
    from actions.store import tracker

    now = _utc(now or datetime.now(UTC))
    if pruning_off():
        return 0
    cutoff = now - timedelta(days=get_settings().conversation_retention_days)
    silent = tracker.silent_since(cutoff)
    if silent is None:
        return None
    pruned = 0
    for sender in silent:
        try:
            with db.session() as session:
                if erasure.conversation_kept(session, sender):
                    continue
            if tracker.erase_if_silent(sender, cutoff) == 0:
                continue
            with db.transaction() as session:
                erasure.delete_handoffs(session, sender)
        except Exception as error:  # the next run tries again
            log.error("prune: a conversation was not erased (%s)", type(error).__name__)
            continue
        pruned += 1
    if pruned:
        log.info("pruned %d conversation(s) without a report", pruned)
    _sweep_orphaned_handoffs(cutoff)
    return pruned


def _sweep_orphaned_handoffs(cutoff: datetime) -> None:
    """Delete the handoff rows that keep nothing (not open, older than `cutoff`, no report, no open handoff beside
    them) and whose conversation has no tracker events left: erased while deleting its handoffs failed, here or in
    an earlier run. Nothing else would find them. When the tracker store cannot tell, nothing is deleted."""
    from actions.store import tracker

    try:
        with db.session() as session:
            candidates = erasure.left_behind_handoff_conversations(session, created_before=cutoff)
        present = tracker.with_events(candidates) if candidates else set()
        if present is None:
            return
        orphaned = sorted(set(candidates) - present)
        deleted = 0
        if orphaned:
            with db.transaction() as session:
                deleted = erasure.delete_left_behind_handoffs(session, orphaned, created_before=cutoff)
    except Exception as error:  # the next run tries again
        log.error("prune: handoffs of erased conversations not deleted (%s)", type(error).__name__)
        return
    if deleted:
        log.info("deleted %d handoff(s) of erased conversations", deleted)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
