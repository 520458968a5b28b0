"""One table of report fields (actions/report_fields.py): the form, the summary, the change buttons,
the draft and the reports table all follow it, and domain.yml and the migrations cannot drift from it.

Adding a field is one line in REPORT_FIELDS plus an Alembic migration (then `python -m actions.report_fields`
writes domain.yml); the tests below fail when domain.yml or the migrations do not follow the table."""

import pytest
from sqlalchemy import create_engine, inspect, text

from actions.common import REPORT_SLOTS
from actions.report import ROUTE_ASKED, ValidateReportForm
from actions.report_change import ActionAskChangeField, field_of
from actions.report_fields import FORM_SLOTS, MEDIA, REPORT_FIELDS, ReportDraft
from actions.report_summary import summary
from actions.store.crypto import EncryptedText
from actions.store.models import Base, Report

FIXED_COLUMNS = {"id", "reference", "draft_id", "conversation_id", "created_at", "municipality", "municipality_key", "role",
                 "category", "subkind", "reporting", "acute", "online", "contact_function", "readable_by", "status", "cues",
                 "identity_hash", "identity_channel", "status_changed_at", "closed_at", "erase_after"}
# Set by what happens after filing (status changes, erasure requests), not by the draft.
LIFECYCLE_COLUMNS = {"status", "status_changed_at", "closed_at", "erase_after"}


def test_domain_yml_is_written_from_the_table():
    """domain.yml's report-field blocks (slots, the form's slot list, the questions) come from the table."""
    from actions.report_fields import DOMAIN, render_domain

    text = DOMAIN.read_text(encoding="utf-8")
    assert render_domain(text) == text, "domain.yml differs from REPORT_FIELDS: run python -m actions.report_fields"


def test_the_domain_declares_the_report_form_exactly_as_the_table(domain):
    assert domain["forms"]["report_form"]["required_slots"] == [*ROUTE_ASKED, *FORM_SLOTS]
    for field in REPORT_FIELDS:
        conditions = domain["slots"][field.slot]["mappings"][0]["conditions"]
        assert conditions == [{"active_loop": "report_form", "requested_slot": field.slot}]
        if field.choices:
            assert field.asked_by in domain["actions"]
        else:
            assert domain["responses"][field.asked_by] == [
                {"text": field.question, "buttons": [{"title": "Weet ik niet", "payload": "weet ik niet"}]}]


def test_every_report_slot_in_the_domain_is_in_the_table(domain):
    report_slots = {s for s in domain["slots"] if s.startswith("report_")}
    bookkeeping = {"report_wanted", "report_status", "report_draft_id", "report_reference", "report_required",
                   "report_summary_hash", "report_prefilled", "report_changing"}
    assert report_slots - bookkeeping == {f.slot for f in REPORT_FIELDS}


def test_the_form_validates_every_field(dispatcher, tracker_factory, domain):
    for field in REPORT_FIELDS:
        assert callable(getattr(ValidateReportForm(), f"validate_{field.slot}"))
    with pytest.raises(AttributeError):
        ValidateReportForm().validate_report_colour  # noqa: B018 - not a field, no validator


def test_the_reports_table_has_one_column_per_field_encrypted_when_free_text():
    columns = Report.__table__.columns
    assert set(columns.keys()) == FIXED_COLUMNS | {f.column for f in REPORT_FIELDS}
    for field in REPORT_FIELDS:
        assert isinstance(columns[field.column].type, EncryptedText) is (field.choices is None), field.name


def test_summary_change_buttons_and_reset_follow_the_table(dispatcher, tracker_factory, domain):
    slots = {f.slot: f"antwoord {f.name}" for f in REPORT_FIELDS} | {"report_medium": "phone", "municipality": "Leiden"}
    lines = summary(tracker_factory(slots=slots)).splitlines()
    assert [line.split(":")[0] for line in lines[2:-1]] == [f"- {f.label}" for f in REPORT_FIELDS]
    assert f"- Via: {MEDIA['phone']}" in lines
    assert set(FORM_SLOTS) <= set(REPORT_SLOTS)
    assert all(field_of(f.label) == f.slot and field_of(f.slot) == f.slot for f in REPORT_FIELDS)


async def test_change_buttons_follow_the_table(dispatcher, tracker_factory, domain):
    await ActionAskChangeField().run(dispatcher, tracker_factory(), domain)
    # the route first (who gets the report: report_change.ROUTE), then every field of the table
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == ["Rol en gemeente", *(f.label for f in REPORT_FIELDS)]


def test_the_draft_fills_every_column_of_the_row():
    slots = {f.slot: f"antwoord {f.name}" for f in REPORT_FIELDS} | {
        "report_medium": "email", "report_draft_id": "d1", "municipality": "Utrecht", "role": "raadslid"}
    draft = ReportDraft.from_slots(slots.get, "gesprek")
    row = draft.row()
    assert set(row) == set(Report.__table__.columns.keys()) - {"id", "reference", "created_at"} - LIFECYCLE_COLUMNS
    assert row["medium"] == "email" and row["online"] is True  # e-mail is an online medium
    assert row["readable_by"] == "utrecht:griffier"  # no protocol: the name, the griffier
    assert ReportDraft.from_slots({**slots, "report_who": None}.get, "gesprek") is None


def test_a_stored_report_reads_back_field_by_field(session):
    from actions.report_fields import answers_of
    from actions.store import reports

    slots = {f.slot: f"antwoord {f.name}" for f in REPORT_FIELDS} | {
        "report_medium": "letter", "report_draft_id": "d2", "municipality": "Leiden", "municipality_key": "leiden"}
    report, _created = reports.submit_report(session, ReportDraft.from_slots(slots.get, "gesprek"))
    shown = [(f.label, f.shown(value)) for f, value in answers_of(report)]
    assert shown[0] == ("Wat", "antwoord what") and ("Via", "brief") in shown


def test_the_migrations_create_exactly_the_model(migrated_url):
    """A field added to the table without a migration (or the other way round) fails here."""
    import importlib
    import pkgutil

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import actions.store

    for module in pkgutil.iter_modules(actions.store.__path__):  # every table joins Base.metadata on import (drafts
        importlib.import_module(f"actions.store.{module.name}")  # was missed when this test ran alone)

    engine = create_engine(migrated_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_medium_migration_keeps_the_data(migrated_url, monkeypatch):
    """0003 renames reports.channel to reports.medium (batch mode: SQLite and PostgreSQL) and back."""
    from alembic import command
    from alembic.config import Config

    from tests.conftest import ROOT

    monkeypatch.setenv("DATABASE_URL", migrated_url)
    alembic_config = Config(str(ROOT / "alembic.ini"))
    engine = create_engine(migrated_url)
    try:
        command.downgrade(alembic_config, "0002")
        assert "channel" in {c["name"] for c in inspect(engine).get_columns("reports")}
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO reports (reference, draft_id, conversation_id, created_at, readable_by, "
                                    "status, acute, online, channel) VALUES ('MLD-TEST', 'd-migration', 'c', "
                                    "CURRENT_TIMESTAMP, 'leiden:griffier', 'nieuw', false, false, 'phone')"))
        command.upgrade(alembic_config, "head")
        with engine.begin() as connection:
            assert connection.execute(text("SELECT medium FROM reports WHERE draft_id = 'd-migration'")).scalar_one() == "phone"
    finally:
        command.upgrade(alembic_config, "head")
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM reports WHERE draft_id = 'd-migration'"))
        engine.dispose()
