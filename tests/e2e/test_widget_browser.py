"""The web widget in headless Chromium (Debian's package) against the real Rasa server.

The browser reaches Rasa through a small TCP proxy in this test, so the test can really cut the
connection (as a train tunnel does) and let socket.io reconnect. Screenshots go to var/artifacts/.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from aiohttp import web

import servers
from channels.rasa_client import RasaClient
from channels.widget.app import add_routes

pytestmark = pytest.mark.e2e

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
AXE = servers.ROOT / "channels" / "widget" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = servers.ROOT / "var" / "artifacts"
SCREENSHOTS = servers.ROOT / "docs" / "screenshots"  # the README shows the conversation (issue 13)

STORY = "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont"
ATTACK = "<img src=x onerror=alert(1)>"
BOT_ATTACK = "<b>vet</b><script>alert(2)</script>"
GRIFFIE = "Bericht van de griffie: ik bel u morgen om 10 uur."
BACK = "Hallo,\nik ben er weer."

# Everything the widget shows: [sender, text, still waiting to be sent?] per message.
MESSAGES_JS = """
return [...document.querySelectorAll('#meldhulp-chat .mh-msg')].map((n) => [
  n.classList.contains('mh-user') ? 'user' : 'bot',
  n.querySelector('.mh-text').textContent,
  n.querySelector('.mh-note') !== null,
]);
"""


# Scroll the conversation to its end and the widget into view, for a screenshot.
SHOW_LAST_JS = """
const log = document.querySelector('#meldhulp-chat .mh-log');
log.scrollTop = log.scrollHeight;
document.querySelector('#meldhulp-chat').scrollIntoView({block: 'end'});
"""


class Proxy:
    """Forwards TCP connections to Rasa; `cut()` drops them all and refuses new ones until `start()`."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.port = target_port, servers.free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)

    async def cut(self) -> None:
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, upstream}

        async def pipe(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    target.write(data)
                    await target.drain()
            except OSError:
                pass
            finally:
                target.transport.abort()
                self.writers.discard(target)

        await asyncio.gather(pipe(reader, upstream), pipe(upstream_reader, writer))


class Site:
    """The widget's routes and the proxy, served from an event loop in a thread (Selenium blocks)."""

    def __init__(self, bot: servers.Servers) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.rasa = RasaClient(bot.rasa_url, bot.rasa_token)
        self.proxy = Proxy(int(bot.rasa_url.rsplit(":", 1)[1]))
        self.run(self.proxy.start())
        self.port = servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        async def serve() -> web.AppRunner:
            app = web.Application()
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("RASA_PUBLIC_URL", f"http://127.0.0.1:{self.proxy.port}")
                add_routes(app, self.rasa)
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            return runner

        self.runner = self.run(serve())

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.run(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def site(bot):
    s = Site(bot)
    yield s
    s.close()


def headless_chromium():
    """Debian's Chromium, headless, with the browser log kept (the browser tests share it); skips without it."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=nl"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(60)
    return driver


@pytest.fixture(scope="module")
def browser():
    driver = headless_chromium()
    yield driver
    driver.quit()


def wait(driver, condition, seconds: float = 30, message: str = ""):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(condition, message)


def messages(driver) -> list[list]:
    return driver.execute_script(MESSAGES_JS)


def status(driver) -> str:
    return driver.execute_script("return document.querySelector('#meldhulp-chat .mh-status').textContent")


def wait_for_bot(driver, after: int, containing: str = "") -> list[list]:
    """Wait for a bot message after the first `after` messages (containing `containing`); all messages."""
    def seen(d):
        shown = messages(d)
        return shown if any(m[0] == "bot" and containing in m[1] for m in shown[after:]) else False
    return wait(driver, seen, message=f"no bot message with {containing!r}; shown: {messages(driver)[after:]}")


def say(driver, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat textarea")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)  # Enter sends; Shift+Enter would add a line


def session_id(driver) -> str:
    return json.loads(driver.execute_script("return sessionStorage.getItem('meldhulp.session')"))


def outbox(driver) -> list:
    return json.loads(driver.execute_script("return sessionStorage.getItem('meldhulp.outbox') || '[]'"))


def axe(driver, where: str) -> None:
    """axe-core with the WCAG 2.0/2.1 A and AA rules on the whole page: no violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run 'npm ci' in channels/widget")
    driver.execute_script(AXE.read_text(encoding="utf-8") + "\nreturn true;")
    result = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
          .then((r) => done({violations: r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary)})), passes: r.passes.length}))
          .catch((e) => done({error: String(e)}));"""
    )
    assert "error" not in result, result
    assert result["violations"] == [], f"axe ({where}):\n" + json.dumps(result["violations"], indent=2, ensure_ascii=False)
    assert result["passes"] > 10
    print(f"axe ({where}): 0 violations, {result['passes']} rules passed")


def tab_order(driver, steps: int) -> list[str]:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    describe = """const e = document.activeElement;
      return e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent.trim().slice(0, 30);"""
    order = []
    for _ in range(steps):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        order.append(driver.execute_script(describe))
    return order


def test_a_conversation_survives_reload_and_a_dropped_connection(site, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.get(f"{site.url}/demo")
    wait(driver, lambda d: status(d) == "Verbonden",
         message=f"the widget did not connect ({status(driver)}); Rasa's socket.io channel needs bot/patches/socketio_fixes.py "
                 f"on this stack. Browser log: {driver.get_log('browser')}")
    assert messages(driver) == []
    assert driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat .mh-danger").text == "Bent u nu in gevaar? Bel dan direct 112."

    # The typing indicator: watch it while the first message is answered.
    driver.execute_script("""window.typingSeen = [];
      const t = document.querySelector('#meldhulp-chat .mh-typing');
      new MutationObserver(() => typingSeen.push(t.textContent)).observe(t, {childList: true, characterData: true, subtree: true});""")
    say(driver, STORY)
    shown = wait_for_bot(driver, 1, "Wat is uw rol?")
    assert shown[0] == ["user", STORY, False]
    assert any("D-gedrag" in m[1] for m in shown if m[0] == "bot")
    assert "De assistent typt…" in driver.execute_script("return typingSeen")
    wait(driver, lambda d: d.execute_script("return document.querySelector('#meldhulp-chat .mh-typing').textContent") == "")

    # Quick replies: real buttons, after the log and before the input in the tab order.
    choices = driver.find_elements(By.CSS_SELECTOR, "#meldhulp-chat .mh-choices button")
    assert [c.text for c in choices][:2] == ["Raadslid", "Duolid"]
    driver.find_element(By.CSS_SELECTOR, "h1").click()
    order = tab_order(driver, 2 + len(choices) + 2)
    assert order == ["Bel dan direct 112.", "Gesprek", *[c.text for c in choices], "Uw bericht", "Verstuur"], order
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB * (len(choices) + 1)).key_up(Keys.SHIFT).perform()
    assert driver.switch_to.active_element.text == "Raadslid"
    axe(driver, "with quick replies")
    driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat").screenshot(str(ARTIFACTS / "widget-buttons.png"))
    ActionChains(driver).send_keys(Keys.ENTER).perform()  # keyboard, not a mouse click
    shown = wait_for_bot(driver, len(shown), "In welke gemeente")
    assert ["user", "Raadslid", False] in shown  # the title, not the payload
    assert not any("/inform" in m[1] for m in shown)
    assert driver.switch_to.active_element.get_attribute("id") == driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat textarea").get_attribute("id")

    say(driver, "Leiden")
    asked = len(shown) + 1
    shown = wait_for_bot(driver, len(shown), "Wilt u het melden bij de griffier?")
    after_route = [m[1] for m in shown[asked:] if m[0] == "bot"]
    # Issue 13: after the verdict and the route at most two short messages; the rest behind buttons.
    assert len(after_route) <= 2 and "Melden is verplicht" in after_route[0], after_route
    choices = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#meldhulp-chat .mh-choices button")]
    assert choices == ["Melden", "Wat moet ik doen?", "Wie is mijn contactpersoon?", "Met iemand praten", "Niet melden"]
    axe(driver, "with the next steps")

    # Keyboard only: the contact person on request, then "Melden".
    driver.find_element(By.CSS_SELECTOR, "h1").click()
    ActionChains(driver).send_keys(Keys.TAB * (2 + 3)).perform()
    assert driver.switch_to.active_element.text == "Wie is mijn contactpersoon?"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    shown = wait_for_bot(driver, len(shown), "meldt u dit bij de griffier")
    shown = wait_for_bot(driver, len(shown) - 1, "Wilt u het melden bij de griffier?")
    driver.find_element(By.CSS_SELECTOR, "h1").click()
    ActionChains(driver).send_keys(Keys.TAB * (2 + 1)).perform()
    assert driver.switch_to.active_element.text == "Melden"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    # The story told who, where and how: only when and why are asked, and the summary marks what it took.
    shown = wait_for_bot(driver, len(shown), "Wanneer was het?")
    say(driver, "gisteren rond 11 uur")
    shown = wait_for_bot(driver, len(shown), "Waarom gebeurde het")
    say(driver, "het besluit over de markt")
    shown = wait_for_bot(driver, len(shown), "Klopt dit? Zal ik de melding indienen?")
    assert any("Waar: Op de markt (uit uw verhaal)" in m[1] for m in shown if m[0] == "bot")
    axe(driver, "at the summary")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat").screenshot(str(SCREENSHOTS / "widget-flow.png"))

    # Text is text: a user's and a bot's (a griffier's) message with markup are shown literally.
    say(driver, ATTACK)
    shown = wait_for_bot(driver, len(shown) + 1)
    site.run(site.rasa.append_events(session_id(driver), [{"event": "bot", "text": BOT_ATTACK}], output_channel="socketio"))
    shown = wait_for_bot(driver, len(shown), BOT_ATTACK)
    assert ["user", ATTACK, False] in shown
    assert ["bot", BOT_ATTACK, False] in shown
    assert driver.find_elements(By.CSS_SELECTOR, "#meldhulp-chat img, #meldhulp-chat b, #meldhulp-chat .mh-log script") == []

    # Reload: the same conversation, from the same session, nothing twice.
    before, sid = messages(driver), session_id(driver)
    driver.refresh()
    wait(driver, lambda d: status(d) == "Verbonden" and len(messages(d)) >= len(before))
    assert session_id(driver) == sid
    assert messages(driver) == before
    assert outbox(driver) == []

    # The connection drops. A griffier writes meanwhile (the live message is lost, the history has it);
    # the user writes too (two lines: Shift+Enter), the message waits visibly, even through a reload,
    # and goes out once after the reconnect.
    site.run(site.proxy.cut())
    wait(driver, lambda d: status(d) == "Verbinding verbroken, opnieuw verbinden…")
    site.run(site.rasa.append_events(sid, [{"event": "bot", "text": GRIFFIE}], output_channel="socketio"))
    box = driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat textarea")
    box.send_keys("Hallo,")
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    box.send_keys("ik ben er weer.")
    assert box.get_attribute("value") == BACK and messages(driver) == before  # Shift+Enter did not send
    box.send_keys(Keys.ENTER)
    assert messages(driver) == before + [["user", BACK, True]]
    assert driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat .mh-note").text == "wordt verzonden…"
    assert [m["text"] for m in outbox(driver)] == [BACK]
    axe(driver, "while disconnected")
    driver.refresh()
    wait(driver, lambda d: messages(d) == [["user", BACK, True]], message=f"after a reload offline: {messages(driver)}")
    site.run(site.proxy.start())
    wait(driver, lambda d: status(d) == "Verbonden", seconds=20, message="no reconnect")
    after = wait_for_bot(driver, len(before) + 2)
    assert after[: len(before) + 2] == before + [["bot", GRIFFIE, False], ["user", BACK, False]]
    assert session_id(driver) == sid
    wait(driver, lambda d: outbox(d) == [], message="Rasa did not confirm the message")
    texts = [m[1] for m in messages(driver)]
    assert texts.count(BACK) == 1 and texts.count(GRIFFIE) == 1
    assert [e["text"] for e in site.run(site.rasa.tracker(sid))["events"] if e.get("event") == "user"].count(BACK) == 1
    driver.execute_script(SHOW_LAST_JS)
    driver.find_element(By.CSS_SELECTOR, "#meldhulp-chat").screenshot(str(ARTIFACTS / "widget.png"))
    axe(driver, "desktop")

    # A phone: 390 px wide (screenshot) and the narrowest WCAG reflow width, 320 px: no sideways scrolling.
    for width, height in ((320, 640), (390, 844)):
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
        driver.execute_script(SHOW_LAST_JS)
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    axe(driver, "390 px")
    driver.save_screenshot(str(ARTIFACTS / "widget-mobile.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # No script errors and nothing blocked by the page's Content-Security-Policy. (Failed WebSocket
    # attempts while the connection was cut are expected and logged too.)
    log = driver.get_log("browser")
    assert not [e for e in log if "Uncaught" in e["message"] or "Content Security Policy" in e["message"]], log
