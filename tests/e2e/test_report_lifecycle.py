"""End to end, issue 11: a report's life from the user's "ja" to the audit log, in the real browser.

A conversation over the REST channel files a report → the routed contact (Leiden's griffier) gets the notification
at a local SMTP server (aiosmtpd), without the story → the griffier logs in to the griffie web app in headless
Chromium → sees the report in Meldingen, decrypted → changes its status → the user asks "hoe staat het met mijn
melding" over REST and hears the new status → the CSV export contains the report → the functional administrator
sees the read and the export in the audit log. axe-core (WCAG 2.0/2.1 A and AA) on every page type.

Real pieces: the Rasa server and action server (trained model), the griffie app (aiohttp, on a real port),
SQLite, aiosmtpd, Chromium. Needs both halves of issue 11: the notification on filing and the status question
are the bot's (actions), the rest is the griffie app's.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

import servers
from actions.store import db
from channels.griffie import app as griffie
from channels.griffie import demo_data
from channels.griffie.accounts import Accounts, hash_password
from channels.rasa_client import RasaClient
from tests.e2e.conftest import GRIFFIE_EMAIL
from tests.e2e.test_widget_browser import axe, headless_chromium

pytestmark = pytest.mark.e2e

PASSWORD = "griffie-wachtwoord-e2e"
SENDER = "e2e-levensloop"
STORY = "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont"
# The story tells who, where and how (issue 13: pre-filled); the form asks when and why.
ANSWERS = ["ja", "gisteren rond 11 uur", "het besluit over de markt"]
REFERENCE = re.compile(r"MLD-\d{8}-[A-Z2-9]{6}")


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


class GriffieSite:
    """The griffie app on a free port, served from an event loop in a thread (Selenium blocks)."""

    def __init__(self, bot: servers.Servers, accounts: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        async def serve() -> web.AppRunner:
            app = web.Application()
            griffie.add_routes(app, RasaClient(bot.rasa_url, bot.rasa_token), accounts=Accounts(str(accounts)),
                               secret="e2e-secret-of-32-characters!!!!!")
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            return runner

        self.runner = asyncio.run_coroutine_threadsafe(serve(), self.loop).result(30)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def chromium():
    driver = headless_chromium()
    yield driver
    driver.quit()


def log_in(driver, site: GriffieSite, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(f"{site.url}/griffie/login")
    driver.find_element(By.ID, "u").send_keys(username)
    driver.find_element(By.ID, "p").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button").click()
    WebDriverWait(driver, 20, poll_frequency=0.1).until(lambda d: "/griffie/login" not in d.current_url,
                                                        f"login failed for {username}: {driver.current_url}")


def shows(driver, text: str, seconds: float = 20) -> None:
    """Wait until the page (after a click that navigates) contains `text`."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: text in d.page_source,
                                                             f"{text!r} not on {driver.current_url}")


def forget_report(reference: str) -> None:
    """Remove this test's report from the shared end-to-end database (its history and outbox rows too; the audit
    rows stay, as they do after a purge), so the other end-to-end tests find the reports table as they expect."""
    from actions.store import erasure, reports

    with db.transaction() as session:
        report = reports.report_by_reference(session, reference)
        if report is not None:
            erasure.delete_report(session, report)


def file_a_report(bot: servers.Servers) -> str:
    said = texts(bot.say(SENDER, STORY))
    assert "D-gedrag" in said
    assert "In welke gemeente" in texts(bot.say(SENDER, '/inform{"role":"raadslid"}'))
    assert "Wilt u het melden bij de griffier?" in texts(bot.say(SENDER, "Leiden"))
    for answer in ANSWERS:
        last = texts(bot.say(SENDER, answer))
    assert "Klopt dit? Zal ik de melding indienen?" in last
    filed = texts(bot.say(SENDER, "/affirm"))
    assert "Uw melding is ingediend" in filed or "opgeslagen" in filed, filed
    return REFERENCE.search(filed).group(0)


def wait_for_mail(smtp_server, reference: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for mail in smtp_server.inbox.messages:
            body = mail.get_payload(decode=True).decode() if not mail.is_multipart() else \
                "\n".join(p.get_payload(decode=True).decode() for p in mail.walk() if not p.is_multipart())
            if reference in body or reference in str(mail["Subject"]):
                return mail, body
        time.sleep(0.5)
    raise AssertionError(f"no notification with {reference} arrived at the SMTP server in {seconds:.0f} s "
                         "(the bot half of issue 11: notification on filing, to CONTACTS_FILE's route for leiden)")


def test_a_report_from_filing_to_the_audit_log(bot, smtp_server, chromium, tmp_path, monkeypatch):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    # The griffie app reads the same database with the same key as the action server.
    monkeypatch.setenv("DATABASE_URL", bot.database_url)
    monkeypatch.setenv("REPORT_ENCRYPTION_KEY", bot.env["REPORT_ENCRYPTION_KEY"])
    db.engine.cache_clear()
    accounts = tmp_path / "accounts.yml"
    password_hash = hash_password(PASSWORD)
    accounts.write_text("accounts:\n" + "".join(a.yaml(password_hash) for a in demo_data.ACCOUNTS))
    site = GriffieSite(bot, accounts)
    driver = chromium
    reference = ""
    try:
        # 1. The user files a report over REST.
        smtp_server.inbox.messages.clear()
        reference = file_a_report(bot)

        # 2. The routed contact is told: reference and link, never the story.
        mail, body = wait_for_mail(smtp_server, reference)
        assert mail["To"] == GRIFFIE_EMAIL
        for words in ("landverrader", "ik weet waar je woont", "rode jas", "weekmarkt"):
            assert words not in body, words

        # 3. The griffier logs in and finds it in Meldingen, decrypted.
        log_in(driver, site, "griffie-leiden")
        driver.get(f"{site.url}/griffie/meldingen")
        assert reference in driver.page_source
        axe(driver, "Meldingen")
        driver.find_element(By.LINK_TEXT, reference).click()
        shows(driver, f"Melding {reference}")
        page = driver.page_source
        assert "landverrader" in page and "Een man" in page  # who and where: pre-filled from the story (issue 13)
        assert "Op de markt" in page and "persoonlijk" in page
        assert "Leiden" in page and "nieuw" in page
        assert "Gebruiker" in page or "Melder" in page  # the conversation is shown
        axe(driver, "melding")

        # 4. ... and changes its status, with an internal note.
        Select(driver.find_element(By.ID, "s-status")).select_by_value("in_behandeling")
        driver.find_element(By.ID, "s-note").send_keys("Intern: melder gebeld, aangifte besproken.")
        driver.find_element(By.CSS_SELECTOR, "form[action$='/status'] button").click()
        shows(driver, "De status is gewijzigd")
        assert "Intern: melder gebeld" in driver.page_source.split("Statusgeschiedenis")[1]
        axe(driver, "melding na statuswijziging")

        # 5. The user asks over REST and hears the new status, without the internal note.
        # (The bot's half of issue 11: the status question, by reference, from the same messenger identity.)
        answer = texts(bot.say(SENDER, f"hoe staat het met mijn melding {reference}"))
        assert reference in answer and ("wordt behandeld" in answer or "in behandeling" in answer.lower()), answer
        assert "Intern" not in answer and "gebeld" not in answer

        # 6. The export of this year contains it (one row, no story text).
        today = datetime.now(UTC).date()
        cookie = driver.get_cookie("meldhulp_griffie")["value"]
        request = urllib.request.Request(
            f"{site.url}/griffie/export?van={today - timedelta(days=1)}&tot={today + timedelta(days=1)}&formaat=csv",
            headers={"Cookie": f"meldhulp_griffie={cookie}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            exported = response.read().decode("utf-8")
        rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
        [row] = [r for r in rows[1:] if r[0] == reference]
        assert rows[0][0] == "kenmerk" and "in_behandeling" in row and "D" in row
        assert "landverrader" not in exported and "rode jas" not in exported

        # 7. The printable page (for an aangifte) has the story; print CSS hides the navigation.
        driver.get(f"{site.url}/griffie/meldingen/{reference}/afdrukken")
        assert "landverrader" in driver.page_source and "Getuigen" in driver.page_source
        axe(driver, "afdrukbare melding")

        # 8. The functional administrator sees the read and the export in the audit log, and no content.
        log_in(driver, site, "beheer")
        driver.get(f"{site.url}/griffie/audit?kenmerk={reference}")
        audit = driver.page_source
        assert reference in audit and "gelezen" in audit and "gewijzigd" in audit
        assert "landverrader" not in audit and "rode jas" not in audit
        driver.get(f"{site.url}/griffie/audit")
        assert "geëxporteerd" in driver.page_source
        axe(driver, "auditlog")
        driver.get(f"{site.url}/griffie/meldingen/{reference}")
        assert "landverrader" not in driver.page_source  # 404 for the administrator

        log = driver.get_log("browser")
        problems = [e for e in log if "Uncaught" in e["message"] or "Content Security Policy" in e["message"]]
        assert not problems, problems
        artifacts = servers.ROOT / "var" / "artifacts"
        artifacts.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(artifacts / "griffie-audit.png"))
    finally:
        if reference:
            forget_report(reference)
        site.close()
        db.engine.cache_clear()
