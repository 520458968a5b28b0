"""Aftercare (nazorg, issue 14 item 1): the user's consent at filing and the scheduled check-ins, in the database.

One `AftercarePlan` per report (consent asked, yes or no; stopped or not; the last answer). The question itself is
check-in 0 (OFFER), made by the worker for a newly filed report; with consent, one `AftercareCheckin` per moment
follows (24 hours, 3 days, 4 weeks after filing by default: actions/knowledge.aftercare).
A check-in is sent by the worker in actions/aftercare.py: claimed first with one atomic UPDATE (committed before
sending, so two workers or a restart never send it twice), then marked sent, or failed with a later retry.
Plain functions that take a session, as store/reports.py: the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import (
    Boolean,
    CursorResult,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from actions.store.models import Base, OutboxMessage, Report

# What the user can answer to "Hoe gaat het nu met u?" -> what the griffie reads.
ANSWERS = {"goed": "goed", "niet_goed": "niet goed", "praten": "wil praten", "stop": "stop"}
NEEDS_CONTACT = ("niet_goed", "praten")  # these answers notify the contact person
OFFER = 0  # the position of the question "may I check in later?" among a report's check-ins
WITHDRAWN = "ingetrokken"  # a withdrawn report's aftercare ends as if the user said stop
LEASE = timedelta(minutes=5)  # a worker that dies while sending frees its claim after this


class AftercarePlan(Base):
    """The user's answer to "may I check in later?" for one report (None: asked, no answer yet), and where the
    aftercare stands."""

    __tablename__ = "aftercare_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), unique=True)
    consent: Mapped[bool | None] = mapped_column(Boolean)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    section: Mapped[str | None] = mapped_column(String(256))  # the protocol section the moments come from
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stopped_by: Mapped[str | None] = mapped_column(String(16))  # "melder" (stop), "wissen" (erasure), "ingetrokken"
    last_answer: Mapped[str | None] = mapped_column(String(16))  # a key of ANSWERS
    last_answer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AftercareCheckin(Base):
    """One scheduled message: the question for consent (position OFFER) or "Hoe gaat het nu met u?" (1, 2, 3).
    state: pending, sent, failed (given up) or cancelled."""

    __tablename__ = "aftercare_checkins"
    __table_args__ = (UniqueConstraint("report_id", "position"),
                      Index("ix_aftercare_checkins_due", "state", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # OFFER, then 1, 2, 3: the order of the moments
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(String(16))  # a key of ANSWERS
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(128))  # the error's class, never content


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite drops the zone; we store UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- consent and schedule ----------------------------------------------------------------------------------------


def plan_for(session: Session, report_id: int) -> AftercarePlan | None:
    return session.scalar(select(AftercarePlan).where(AftercarePlan.report_id == report_id))


def offer_new(session: Session, now: datetime, channels: tuple[str, ...], window: timedelta) -> int:
    """Plan the question "may I check in later?" (check-in OFFER, due now) for every report filed in the last `window`
    through a channel in `channels` that has no plan yet; returns how many. Two workers may race here: the plan's
    unique report_id lets one of them in (a savepoint keeps the other's transaction usable)."""
    new = list(session.scalars(
        select(Report.id).outerjoin(AftercarePlan, AftercarePlan.report_id == Report.id)
        .where(AftercarePlan.id.is_(None), Report.created_at >= now - window, Report.identity_channel.in_(channels),
               Report.erase_after.is_(None), Report.status != WITHDRAWN)))
    made = 0
    for report_id in new:
        try:
            with session.begin_nested():
                session.add(AftercarePlan(report_id=report_id, consent=None))
                session.add(AftercareCheckin(report_id=report_id, position=OFFER, due_at=now, state="pending",
                                             attempts=0, next_attempt_at=now))
            made += 1
        except IntegrityError:
            continue
    return made


def record_consent(session: Session, report: Report, consent: bool, delays: list[timedelta], section: str | None,
                   now: datetime | None = None) -> tuple[AftercarePlan, bool]:
    """Store the user's answer with the report and, with consent, one check-in per delay after filing.
    Idempotent: once answered, a second answer returns the first (changed False)."""
    now = now or datetime.now(UTC)
    plan = plan_for(session, report.id)
    if plan is not None and plan.consent is not None:
        return plan, False
    if plan is None:
        plan = AftercarePlan(report_id=report.id)
        session.add(plan)
    plan.consent, plan.decided_at, plan.section = consent, now, section
    if consent:
        filed = _utc(report.created_at) or now
        for position, delay in enumerate(sorted(delays), 1):
            due = filed + delay
            session.add(AftercareCheckin(report_id=report.id, position=position, due_at=due, state="pending",
                                         attempts=0, next_attempt_at=due))
    session.flush()
    return plan, True


def offered_report_of_identity(session: Session, identity_hash: str) -> Report | None:
    """The identity's report whose consent question was sent most recently and is not answered yet (not one whose
    user asked to erase their data, nor a withdrawn one)."""
    return session.scalar(
        select(Report).join(AftercarePlan, AftercarePlan.report_id == Report.id)
        .join(AftercareCheckin, (AftercareCheckin.report_id == Report.id) & (AftercareCheckin.position == OFFER))
        .where(Report.identity_hash == identity_hash, AftercarePlan.consent.is_(None), AftercareCheckin.state == "sent",
               Report.erase_after.is_(None), Report.status != WITHDRAWN)
        .order_by(AftercareCheckin.sent_at.desc()).limit(1))


def checkins(session: Session, report_id: int) -> list[AftercareCheckin]:
    """The check-ins "Hoe gaat het nu met u?" of a report, in order (not the consent question)."""
    return list(session.scalars(select(AftercareCheckin).where(AftercareCheckin.report_id == report_id,
                                                               AftercareCheckin.position != OFFER)
                                .order_by(AftercareCheckin.position)))


# --- the worker: due, claim, sent, failed --------------------------------------------------------------------------


def due_checkin_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    """Pending check-ins whose time has come and that no worker holds, oldest first."""
    return list(session.scalars(
        select(AftercareCheckin.id).where(
            AftercareCheckin.state == "pending", AftercareCheckin.next_attempt_at <= now,
            or_(AftercareCheckin.claimed_until.is_(None), AftercareCheckin.claimed_until < now),
        ).order_by(AftercareCheckin.next_attempt_at, AftercareCheckin.id).limit(limit)))


def claim(session: Session, checkin_id: int, now: datetime, lease: timedelta = LEASE) -> bool:
    """Take one due check-in for sending with one UPDATE (the conditions in its WHERE): of two workers only one
    gets rowcount 1. The caller commits before sending."""
    result = cast(CursorResult, session.execute(
        update(AftercareCheckin)
        .where(AftercareCheckin.id == checkin_id, AftercareCheckin.state == "pending",
               AftercareCheckin.next_attempt_at <= now,
               or_(AftercareCheckin.claimed_until.is_(None), AftercareCheckin.claimed_until < now))
        .values(claimed_until=now + lease, attempts=AftercareCheckin.attempts + 1)
        .execution_options(synchronize_session=False)))
    return result.rowcount == 1


def mark_sent(session: Session, checkin_id: int, now: datetime) -> bool:
    """Record a sent check-in; only a pending one (claimed for sending): one that "stop" cancelled meanwhile stays
    cancelled. False when it was not pending any more."""
    result = cast(CursorResult, session.execute(update(AftercareCheckin).where(
        AftercareCheckin.id == checkin_id, AftercareCheckin.state == "pending").values(
        state="sent", sent_at=now, claimed_until=None, last_error=None).execution_options(synchronize_session=False)))
    return result.rowcount == 1


def still_wanted(session: Session, checkin_id: int) -> bool:
    """Read again right before sending: the check-in is still pending (not cancelled by "stop" meanwhile), its plan is
    not stopped, and the report is neither withdrawn nor asked to be erased."""
    row = session.execute(
        select(AftercareCheckin.state, AftercarePlan.stopped_at, Report.erase_after, Report.status)
        .join(AftercarePlan, AftercarePlan.report_id == AftercareCheckin.report_id)
        .join(Report, Report.id == AftercareCheckin.report_id)
        .where(AftercareCheckin.id == checkin_id)).first()
    return (row is not None and row.state == "pending" and row.stopped_at is None and row.erase_after is None
            and row.status != WITHDRAWN)


def cancel(session: Session, checkin_id: int) -> None:
    session.execute(update(AftercareCheckin).where(AftercareCheckin.id == checkin_id).values(
        state="cancelled", claimed_until=None).execution_options(synchronize_session=False))


def stop(session: Session, report_id: int, by: str, now: datetime | None = None) -> int:
    """End all remaining check-ins of a report at once (one UPDATE); returns how many were cancelled.
    `by`: "melder" (the user said stop), "wissen" (the user asked to erase their data) or "ingetrokken" (the user
    withdrew the report)."""
    now = now or datetime.now(UTC)
    result = cast(CursorResult, session.execute(
        update(AftercareCheckin).where(AftercareCheckin.report_id == report_id, AftercareCheckin.state == "pending")
        .values(state="cancelled", claimed_until=None).execution_options(synchronize_session=False)))
    session.execute(update(AftercarePlan).where(AftercarePlan.report_id == report_id, AftercarePlan.stopped_at.is_(None))
                    .values(stopped_at=now, stopped_by=by).execution_options(synchronize_session=False))
    return result.rowcount


# --- answers -----------------------------------------------------------------------------------------------------


def open_plans_of_identity(session: Session, identity_hash: str) -> list[tuple[Report, AftercarePlan]]:
    """The identity's reports with consented, not stopped aftercare; the one checked in most recently first. Not a
    report whose user asked to erase their data (its answers are not kept) nor a withdrawn one (as stopped)."""
    last_sent = (select(AftercareCheckin.sent_at).where(AftercareCheckin.report_id == Report.id)
                 .order_by(AftercareCheckin.sent_at.desc()).limit(1).scalar_subquery())
    rows = session.execute(
        select(Report, AftercarePlan).join(AftercarePlan, AftercarePlan.report_id == Report.id)
        .where(Report.identity_hash == identity_hash, AftercarePlan.consent.is_(True),
               AftercarePlan.stopped_at.is_(None), Report.erase_after.is_(None), Report.status != WITHDRAWN)
        .order_by(last_sent.desc().nulls_last(), Report.created_at.desc(), Report.id.desc())).all()
    return [(report, plan) for report, plan in rows]


def record_answer(session: Session, report_id: int, answer: str, now: datetime | None = None) -> None:
    """The user's answer to the latest check-in sent for the report (and as the plan's last answer)."""
    if answer not in ANSWERS:
        raise ValueError(f"unknown aftercare answer {answer!r}")
    now = now or datetime.now(UTC)
    session.execute(update(AftercarePlan).where(AftercarePlan.report_id == report_id)
                    .values(last_answer=answer, last_answer_at=now).execution_options(synchronize_session=False))
    latest = session.scalar(select(AftercareCheckin).where(AftercareCheckin.report_id == report_id,
                                                           AftercareCheckin.position != OFFER,
                                                           AftercareCheckin.state == "sent")
                            .order_by(AftercareCheckin.sent_at.desc(), AftercareCheckin.position.desc()).limit(1))
    if latest is not None and latest.answer is None:
        latest.answer, latest.answered_at = answer, now
    session.flush()


def queue_contact_notice(session: Session, report: Report, routes: dict, now: datetime | None = None) -> list[OutboxMessage]:
    """"nazorg gevraagd" for the routed contact: one outbox row per configured route (kind "aftercare", delivered
    by actions/aftercare.py with the outbox's claim), or one "unconfigured" row when there is none. The text is
    made at sending time from the report row: reference, municipality, "nazorg gevraagd"; never free text."""
    from actions.store.outbox import CONTACT_ROUTES

    now = now or datetime.now(UTC)
    rows = [OutboxMessage(report_id=report.id, kind="aftercare", event="aftercare", route=route,
                          target=str(routes[route]), state="pending", attempts=0, created_at=now, next_attempt_at=now)
            for route in CONTACT_ROUTES if routes.get(route)]
    if not rows:
        rows = [OutboxMessage(report_id=report.id, kind="aftercare", event="aftercare", route="none", target=None,
                              state="unconfigured", attempts=0, created_at=now, next_attempt_at=None)]
    session.add_all(rows)
    session.flush()
    return rows


# --- the griffie's inbox -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """What the inbox shows about a report's aftercare."""

    consent: bool | None  # None: asked, no answer yet
    next_at: datetime | None  # the next pending check-in
    last_answer: str | None  # a key of ANSWERS
    last_answer_at: datetime | None
    stopped: bool
    sent: int  # check-ins sent so far
    planned: int  # check-ins planned in all

    @property
    def open(self) -> bool:
        return bool(self.consent) and not self.stopped and (self.next_at is not None or self.last_answer in NEEDS_CONTACT)


def status_of(session: Session, report_ids: list[int]) -> dict[int, Status]:
    """The aftercare of these reports (only those with a plan)."""
    if not report_ids:
        return {}
    plans = list(session.scalars(select(AftercarePlan).where(AftercarePlan.report_id.in_(report_ids))))
    rows = list(session.scalars(select(AftercareCheckin).where(AftercareCheckin.report_id.in_(report_ids),
                                                               AftercareCheckin.position != OFFER)))
    found = {}
    for plan in plans:
        own = [c for c in rows if c.report_id == plan.report_id]
        pending = [_utc(c.next_attempt_at) for c in own if c.state == "pending"]
        found[plan.report_id] = Status(
            consent=plan.consent, next_at=min((p for p in pending if p is not None), default=None),
            last_answer=plan.last_answer, last_answer_at=_utc(plan.last_answer_at), stopped=plan.stopped_at is not None,
            sent=sum(c.state == "sent" for c in own), planned=len(own))
    return found


# --- erasure -----------------------------------------------------------------------------------------------------


def delete_for_report(session: Session, report_id: int) -> None:
    """Delete a report's aftercare (explicitly: SQLite enforces ON DELETE CASCADE only with its pragma on)."""
    session.execute(delete(AftercareCheckin).where(AftercareCheckin.report_id == report_id))
    session.execute(delete(AftercarePlan).where(AftercarePlan.report_id == report_id))


def forget_answers(session: Session, report_id: int) -> None:
    """The user asked to erase their data: no more check-ins, and their answers are not kept until the purge."""
    stop(session, report_id, "wissen")
    session.execute(update(AftercarePlan).where(AftercarePlan.report_id == report_id)
                    .values(stopped_by="wissen", last_answer=None, last_answer_at=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(AftercareCheckin).where(AftercareCheckin.report_id == report_id)
                    .values(answer=None, answered_at=None).execution_options(synchronize_session=False))


def forget_erased(session: Session) -> int:
    """Forget the aftercare of every report whose user asked to erase their data (reports.erase_after set) and that
    is not forgotten yet; returns how many. The rows themselves go with the report at the purge (retention.py)."""
    report_ids = list(session.scalars(
        select(AftercarePlan.report_id).join(Report, Report.id == AftercarePlan.report_id)
        .where(Report.erase_after.is_not(None), or_(AftercarePlan.stopped_by.is_(None), AftercarePlan.stopped_by != "wissen"))))
    for report_id in report_ids:
        forget_answers(session, report_id)
    return len(report_ids)
