"""Evidence through the web widget in headless Chromium against the real Rasa server (issue 14): the upload
button is reachable by keyboard and axe-clean, a photo goes with the conversation's signed token to the widget's
endpoint, is kept encrypted without its location data, joins the report filed in that conversation, is in the
export, and is gone after purge; a malicious file and a link get their Dutch answers.

The report is written with the action server's own store function (store/reports.py; filing it through the whole
dialogue is tests/e2e/test_report_lifecycle.py's part); its identity is the one actions/identity.py derives from this
conversation's tracker, with the action server's key.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from actions import identity
from actions.report_fields import ReportDraft
from actions.store import db, reports, retention
from actions.store import evidence as store
from channels.griffie import export
from core.config import get_settings
from tests.channels import evidence_samples as samples
from tests.e2e.test_widget_browser import (
    ARTIFACTS,
    STORY,
    Site,
    axe,
    browser,  # noqa: F401  (the Chromium fixture)
    say,
    session_id,
    status,
    tab_order,
    wait,
    wait_for_bot,
)

pytestmark = pytest.mark.e2e

UPLOAD_JS = "return document.querySelector('#meldhulp-chat .mh-upload').textContent"


@pytest.fixture(scope="module")
def site(bot):
    s = Site(bot)
    yield s
    s.close()


@pytest.fixture
def same_database(bot, monkeypatch):
    """This process (the widget's endpoint, the checks) reads the action server's database with its key."""
    for name in ("DATABASE_URL", "REPORT_ENCRYPTION_KEY", "RASA_URL", "RASA_TOKEN"):
        value = {"DATABASE_URL": bot.database_url, "RASA_URL": bot.rasa_url, "RASA_TOKEN": bot.rasa_token}.get(name)
        monkeypatch.setenv(name, value or bot.env[name])
    monkeypatch.delenv("REPORT_ENCRYPTION_KEY_FILE", raising=False)
    monkeypatch.delenv("IDENTITY_SECRET", raising=False)
    get_settings.cache_clear()
    db.engine.cache_clear()
    yield
    db.engine.cache_clear()


def upload_answer(driver, previous: str) -> str:
    return wait(driver, lambda d: (lambda t: t if t and t != previous and not t.endswith("…") else False)(d.execute_script(UPLOAD_JS)),
                message="no answer to the upload")


def test_a_photo_from_the_widget_joins_the_report_encrypted_and_is_purged(site, browser, bot, same_database, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    driver = browser
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.get(f"{site.url}/demo")
    wait(driver, lambda d: status(d) == "Verbonden", message=f"the widget did not connect ({status(driver)})")
    attach = driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat .mh-attach")
    wait(driver, lambda d: attach.is_enabled(), message="the upload button stays disabled")
    assert attach.text == "Foto of bestand toevoegen"

    # The button is in the tab order after the message box and its send button, and the page is axe-clean.
    driver.find_element(By.CSS_SELECTOR, "h1").click()
    order = tab_order(driver, 5)
    assert order[-3:] == ["Uw bericht", "Verstuur", "Foto of bestand toevoegen"], order
    axe(driver, "widget with the upload button")

    # The conversation goes through Rasa's widget channel, so the action server names this identity 'socketio'.
    say(driver, STORY)
    wait_for_bot(driver, 1, "Wat is uw rol?")
    conversation = session_id(driver)
    assert bot.tracker(conversation)["latest_input_channel"] == "socketio"

    # A photo with GPS data, chosen through the (hidden) file input the button opens.
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(samples.jpeg_with_gps(size=(640, 480)))
    file_input = driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat .mh-file")
    file_input.send_keys(str(photo))
    assert upload_answer(driver, "") == "Ontvangen: 1 foto. Die komt bij uw melding zodra u die verstuurt."

    # An SVG with a script, named as a photo, is refused calmly.
    svg = tmp_path / "foto.png"
    svg.write_bytes(samples.SVG_WITH_SCRIPT)
    file_input.send_keys(str(svg))
    assert upload_answer(driver, "Ontvangen: 1 foto. Die komt bij uw melding zodra u die verstuurt.").startswith(
        "Dit bestand kan ik niet bewaren.")

    # A link in a message: the message goes to Rasa, the link is kept.
    say(driver, "Het bericht staat hier: https://x.com/iemand/status/123")
    assert upload_answer(driver, "Dit bestand kan ik niet bewaren.").startswith("Ontvangen: 1 link.")
    axe(driver, "widget after uploads")
    driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat").screenshot(str(ARTIFACTS / "widget-evidence.png"))

    # Encrypted at rest: the raw column holds no JPEG and no link.
    with db.session() as session:
        raw = session.execute(text("SELECT kind, content FROM evidence WHERE conversation_id = :c ORDER BY id"),
                              {"c": conversation}).all()
    assert [r.kind for r in raw] == ["image", "link"]
    assert all(b"\xff\xd8\xff" not in bytes(r.content) and b"x.com" not in bytes(r.content) for r in raw)

    # The report filed in this conversation has the photo (without location) and the link; the export counts them.
    sender_identity = identity.identity_hash("socketio", conversation)
    draft = ReportDraft(draft_id=f"e2e-evidence-{conversation}", conversation_id=conversation, municipality="Leiden",
                        municipality_key="leiden", role="raadslid", category="D", subkind=None, reporting="required",
                        acute=False, online=True, contact_function="griffier", answers={"what": STORY},
                        identity_hash=sender_identity, identity_channel="socketio")
    with db.transaction() as session:
        report, _ = reports.submit_report(session, draft)
        reference = report.reference
        items = store.for_report(session, report)
        assert [(i.kind, i.name) for i in items] == [("image", "IMG_2041.jpg"), ("link", None)]
        assert items[0].content[:3] == b"\xff\xd8\xff" and not samples.has_location(items[0].content)
        [row] = export.rows([report])
        assert row["bewijs_aantal"] == 2 and "IMG_2041" not in row["bewijs"]
        report.erase_after = datetime.now(UTC) - timedelta(minutes=1)  # 'verwijder mijn gegevens'

    # Purge erases the report with its evidence (and the conversation, through Rasa's API).
    purged = retention.purge_expired()
    assert reference in [p.reference for p in purged]
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM evidence WHERE conversation_id = :c"), {"c": conversation}).scalar() == 0
        assert reports.report_by_reference(session, reference) is None
