"""Jaaroverzicht (channels/griffie/overview.py) against the real aiohttp app and the test database: who sees which
municipality, the year selector, the CSV download (audited), and that a count of 1 to 4 never shows its number in
the HTML, the CSV or the plots' SVG text. `make overview` (scripts/overview.py) prints the same CSV."""

from __future__ import annotations

import base64
import csv
import io
import re
import xml.etree.ElementTree as ET
from html import unescape

import overview as overview_script  # scripts/overview.py (scripts/ is on the tests' path)
from sqlalchemy.orm import Session

from actions.store import inbox
from actions.store import overview as store
from channels.griffie import overview
from tests.bot.actions.store.test_overview import SECRET_TEXT, seed_year

SMALL_NUMBERS = {"1", "2", "3", "4"}


def _cells(page: str) -> dict[str, str]:
    """Every table row of the page as label -> shown count (the last one wins for a label shown twice)."""
    return {unescape(re.sub(r"<[^>]+>", "", label)): unescape(count)
            for label, count in re.findall(r'<tr><th scope="row">(.*?)</th><td class="n">(.*?)</td></tr>', page)}


def _svg_texts(page: str) -> list[str]:
    texts = []
    for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page):
        root = ET.fromstring(base64.b64decode(data))
        texts += ["".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")]
    return texts


def _seed(site) -> None:
    with Session(site.connection) as session, session.begin():
        seed_year(session, 2025)


async def test_the_griffie_sees_its_municipalitys_year_with_small_counts_hidden(site):
    _seed(site)
    await site.login("griffie-leiden")
    response = await site.client.get("/griffie/jaaroverzicht?jaar=2025")
    assert response.status == 200
    assert "img-src data:" in response.headers["Content-Security-Policy"]
    page = await response.text()
    assert "Aantal meldingen in 2025: 30" in page
    assert "Jaarlijks wordt een geanonimiseerd verslag gemaakt van de incidenten." in page
    cells = _cells(page)
    assert cells["D – bedreiging, intimidatie of geweld"] == "< 5" and cells["C – 'jij'-gedrag (persoonlijk gericht)"] == "×"
    assert cells["burgemeester"] == "< 5" and cells["raadslid"] == "20" and cells["e-mail"] == "5"
    assert cells["september"] == cells["december"] == "< 5" and cells["juni"] == "×" and cells["maart"] == "9"
    assert cells["duolid"] == "0"
    police, aftercare = page.split("<h2>Aangifte bij de politie</h2>")[1].split("<h2>Nazorg gegeven</h2>")
    assert _cells(police) == {"ja": "6", "nee": "24"} and _cells(aftercare) == {"ja": "8", "nee": "22"}
    assert "nog niet geregistreerd" not in page
    assert not SMALL_NUMBERS & set(cells.values())
    texts = _svg_texts(page)
    assert len(re.findall(r"<img ", page)) == 6 and "< 5" in texts and "×" in texts and "20" in texts
    assert not SMALL_NUMBERS & set(texts), texts
    assert SECRET_TEXT not in page and "Jansen" not in page
    assert '<option value="2025" selected>2025</option>' in page and '<option value="2026">2026</option>' in page
    assert 'name="gemeente"' not in page  # an account of a municipality cannot choose another


async def test_another_municipality_is_never_shown_to_an_account(site):
    _seed(site)
    await site.login("griffie-nijmegen")
    page = await (await site.client.get("/griffie/jaaroverzicht?jaar=2025&gemeente=leiden")).text()
    assert "Nijmegen" in page and "Aantal meldingen in 2025: &lt; 5" in page  # one Nijmegen report in 2025
    assert "Minder dan 5 meldingen" in page and "<table>" not in page and "<img " not in page
    text = await (await site.client.get("/griffie/jaaroverzicht.csv?jaar=2025&gemeente=leiden")).text()
    assert ";nijmegen;totaal;meldingen;< 5" in text and "leiden" not in text


async def test_the_csv_download_is_anonymised_and_audited(site):
    _seed(site)
    await site.login("griffie-leiden")
    response = await site.client.get("/griffie/jaaroverzicht.csv?jaar=2025")
    assert response.status == 200 and response.content_type == "text/csv"
    assert 'filename="jaaroverzicht-leiden-2025.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await response.text()), delimiter=";"))
    assert rows[0] == overview.CSV_HEADER
    shown = {(r[2], r[3]): r[4] for r in rows[1:]}
    assert shown[("totaal", "meldingen")] == "30"
    assert shown[("categorie", "D – bedreiging, intimidatie of geweld")] == "< 5"
    assert shown[("rol", "burgemeester")] == "< 5" and shown[("rol", "wethouder")] == "×"
    assert shown[("nazorg", "ja")] == "8" and shown[("nazorg", "nee")] == "22" and ("nazorg", "gegeven") not in shown
    assert not SMALL_NUMBERS & set(shown.values())
    assert all(len(r) == 5 for r in rows) and SECRET_TEXT not in await response.text()
    with Session(site.connection) as session:
        entry = inbox.audit_entries(session)[0]
    assert entry.actor == "griffie-leiden" and entry.action == "exported" and "jaaroverzicht 2025 leiden" in entry.detail


async def test_the_functional_administrator_may_choose_a_municipality(site):
    _seed(site)
    await site.login("beheer")
    page = await (await site.client.get("/griffie/jaaroverzicht?jaar=2025&gemeente=leiden")).text()
    assert "Aantal meldingen in 2025: 30" in page and 'name="gemeente"' in page
    assert '<option value="leiden" selected>' in page
    fallback = await (await site.client.get("/griffie/jaaroverzicht?jaar=1999&gemeente=nergens")).text()
    assert "Jaaroverzicht" in fallback  # an unknown municipality or year falls back to a known one


async def test_without_login_the_page_redirects(site):
    for path in ("/griffie/jaaroverzicht", "/griffie/jaaroverzicht.csv"):
        response = await site.client.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"] == "/griffie/login"


def test_make_overview_prints_the_same_csv_and_writes_the_html_page(connection, capsys, tmp_path):
    with Session(connection) as session, session.begin():
        seed_year(session, 2025)
    assert overview_script.main(["--year", "2025", "--municipality", "Leiden"]) == 0
    out = capsys.readouterr().out
    with Session(connection) as session:
        assert out == overview.as_csv(store.overview(session, 2025, "leiden"))
    assert "2025;leiden;categorie;D – bedreiging, intimidatie of geweld;< 5" in out
    path = tmp_path / "jaar.html"
    assert overview_script.main(["--year", "2025", "--municipality", "leiden", "--format", "html", "--out", str(path)]) == 0
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "Jaaroverzicht Leiden 2025" in page
    assert not SMALL_NUMBERS & set(_svg_texts(page)) and "https://" not in page and "http://" not in page.replace(
        "http://www.w3.org", "")
