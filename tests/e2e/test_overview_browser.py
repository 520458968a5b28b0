"""Jaaroverzicht in headless Chromium (Debian's package): the griffie app on a real port with its own SQLite
database (migrated with Alembic, the demo reports and a year of test reports), logged in as Leiden's griffie.
The page renders with its plots (SVG images in data: URLs, allowed by the page's CSP), a count of 1 to 4 is
nowhere on it, the year selector and CSV link work, and axe-core (WCAG 2.0/2.1 A and AA) finds nothing.
The screenshot goes to var/artifacts/overview.png. Needs no Rasa server."""

from __future__ import annotations

import asyncio
import re
import threading
import urllib.request

import pytest
from aiohttp import web
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import servers
from channels.griffie import app as griffie
from channels.griffie import demo_data
from channels.griffie.accounts import Accounts, hash_password
from channels.rasa_client import RasaClient
from tests.bot.actions.store.test_overview import seed_year
from tests.e2e.test_widget_browser import ARTIFACTS, axe, headless_chromium

pytestmark = pytest.mark.e2e

PASSWORD = "jaaroverzicht-e2e-wachtwoord"
TEXTS_JS = "return [...document.querySelectorAll('main td, main th, main p, main h2, main figcaption')].map((n) => n.textContent.trim());"
IMAGES_JS = "return [...document.querySelectorAll('main img')].map((i) => [i.complete, i.naturalWidth, i.alt]);"


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A migrated SQLite file the app (in another thread) uses through actions.store.db."""
    from alembic import command
    from alembic.config import Config

    from actions import knowledge
    from actions.store import db

    url = f"sqlite:///{tmp_path / 'overview.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    command.upgrade(Config(str(servers.ROOT / "alembic.ini")), "head")
    engine = create_engine(url, connect_args={"check_same_thread": False})
    with Session(engine) as session, session.begin():
        knowledge.load_into(session)
        demo_data.seed(session)
        seed_year(session, 2025)
    monkeypatch.setattr(db, "engine", lambda url=None: engine)
    yield engine
    engine.dispose()


class Site:
    def __init__(self, accounts: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        async def serve() -> web.AppRunner:
            app = web.Application()
            griffie.add_routes(app, RasaClient("http://127.0.0.1:9", "unused"), accounts=Accounts(accounts),
                               secret="overview-e2e-secret-32-characters")
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
def site(database, tmp_path):
    accounts = tmp_path / "accounts.yml"
    digest = hash_password(PASSWORD)
    accounts.write_text("accounts:\n" + "".join(a.yaml(digest) for a in demo_data.ACCOUNTS))
    s = Site(str(accounts))
    yield s
    s.close()


@pytest.fixture
def chromium():
    driver = headless_chromium()
    yield driver
    driver.quit()


def test_the_yearly_overview_in_chromium(site, chromium):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = chromium
    driver.get(f"{site.url}/griffie/login")
    driver.find_element(By.ID, "u").send_keys("griffie-leiden")
    driver.find_element(By.ID, "p").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button").click()
    # the login's own redirect must land first: a get() sent while it is under way can be overtaken by it
    WebDriverWait(driver, 20, poll_frequency=0.1).until(lambda d: "/griffie/login" not in d.current_url,
                                                        f"login failed: {driver.current_url}")
    driver.get(f"{site.url}/griffie/jaaroverzicht")
    assert driver.title.startswith("Jaaroverzicht")
    # This year: the demo reports (six for Leiden), so nearly everything is "< 5" or not shown.
    this_year = driver.execute_script(TEXTS_JS)
    assert not {"1", "2", "3", "4"} & set(this_year), this_year
    axe(driver, "jaaroverzicht, demo year")

    Select(driver.find_element(By.ID, "o-jaar")).select_by_value("2025")
    driver.find_element(By.CSS_SELECTOR, "form[action='/griffie/jaaroverzicht'] button").click()
    WebDriverWait(driver, 20).until(lambda d: "jaar=2025" in d.current_url and d.execute_script(
        "return document.readyState") == "complete")
    texts = driver.execute_script(TEXTS_JS)
    assert "Aantal meldingen in 2025: 30" in texts and "< 5" in texts and "×" in texts
    assert not {"1", "2", "3", "4"} & set(texts), texts
    images = driver.execute_script(IMAGES_JS)
    assert len(images) == 6 and all(done and width > 0 and alt for done, width, alt in images), images  # 6: nazorg too
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors  # e.g. a CSP refusal of the plots
    axe(driver, "jaaroverzicht 2025")

    link = driver.find_element(By.PARTIAL_LINK_TEXT, "Download als CSV").get_attribute("href")
    request = urllib.request.Request(link, headers={"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())})
    with urllib.request.urlopen(request, timeout=10) as response:
        csv_text = response.read().decode("utf-8")
    assert "2025;leiden;totaal;meldingen;30" in csv_text and not re.search(r";[1-4]\r?$", csv_text, re.M)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(height + 120, 12000))
    driver.save_screenshot(str(ARTIFACTS / "overview.png"))
    driver.set_window_size(390, 900)
    overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than a 390 px screen"
    axe(driver, "jaaroverzicht 390 px")
