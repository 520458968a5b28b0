"""The widget's evidence endpoint (POST /widget/evidence, issue 14) without a browser: only with the signed
session token, by content, size limited, kept with the widget conversation's report; CORS for other sites.
The upload button itself is tested in Chromium (tests/e2e/test_evidence_browser.py)."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from actions.report_fields import ReportDraft
from actions.store import evidence as store
from actions.store import reports
from channels import evidence
from channels.rasa_client import RasaClient
from channels.widget import app as widget
from channels.widget import session as widget_session
from tests.channels import evidence_samples as samples

SESSION = "0123456789abcdef0123456789abcdef"
SENDER = evidence.Sender("socketio", SESSION)  # as the action server sees a widget conversation


@pytest.fixture(autouse=True)
def widget_secret(monkeypatch):
    monkeypatch.setenv("WIDGET_SECRET", "w" * 32)


@pytest.fixture
async def client():
    app = web.Application(client_max_size=64 * 1024)  # as channels/web.py: uploads are read by the route itself
    widget.add_routes(app, RasaClient("http://127.0.0.1:9", "token"))
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


def auth(session_id: str = SESSION) -> dict:
    return {"Authorization": f"Bearer {widget_session.issue(session_id)[1]}"}


async def upload(client, data: bytes, name: str = "foto.jpg", headers: dict | None = None):
    response = await client.post("/widget/evidence", data=data,
                                 headers={**(auth() if headers is None else headers), "Content-Type": "application/octet-stream",
                                          "X-File-Name": name})
    return response.status, await response.json()


async def test_a_photo_is_kept_for_the_widget_conversation_and_joins_its_report(client, connection, session):
    status, body = await upload(client, samples.jpeg_with_gps(size=(800, 600)), "Schermafbeelding%202026.png")
    assert (status, body) == (200, {"ok": True, "message": "Ontvangen: 1 foto. Die komt bij uw melding zodra u die verstuurt."})
    raw = connection.execute(text("SELECT content, channel, conversation_id FROM evidence")).one()
    assert (raw.channel, raw.conversation_id) == ("socketio", SESSION) and b"\xff\xd8\xff" not in bytes(raw.content)

    draft = ReportDraft(draft_id="w-1", conversation_id=SESSION, municipality="Leiden", municipality_key="leiden",
                        role="raadslid", category="D", subkind=None, reporting="required", acute=False, online=False,
                        contact_function="griffier", answers={"what": "x"}, identity_hash=SENDER.identity,
                        identity_channel="socketio")
    report, _ = reports.submit_report(session, draft)
    [item] = store.for_report(session, report)
    assert item.name == "Schermafbeelding 2026.jpg" and not samples.has_location(item.content)  # named by content


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer " + SESSION}, {"Authorization": "Bearer x.1.y"}])
async def test_without_a_valid_token_nothing_is_kept(client, connection, headers):
    status, body = await upload(client, samples.jpeg_with_gps(), headers=headers)
    assert status == 401 and body["message"] == widget.NO_SESSION
    assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 0


async def test_an_expired_token_is_refused(client, connection):
    expired = widget_session.issue(SESSION, now=1000.0)[1]  # valid for a day from 1970
    status, _ = await upload(client, samples.jpeg_with_gps(), headers={"Authorization": f"Bearer {expired}"})
    assert status == 401


@pytest.mark.parametrize(("data", "name", "message"), [
    (samples.SVG_WITH_SCRIPT, "foto.jpg", evidence.NOT_ACCEPTED),
    (samples.HTML_PAGE, "screenshot.png", evidence.NOT_ACCEPTED),
    (samples.zip_file(), "fotos.zip", evidence.NOT_ACCEPTED),
    (samples.png_bomb(), "bom.png", evidence.TOO_MANY_PIXELS),
    (samples.pdf_zip_polyglot(), "brief.pdf", evidence.UNSAFE_PDF),
])
async def test_malicious_uploads_are_refused_with_a_dutch_message(client, connection, data, name, message):
    assert await upload(client, data, name) == (422, {"ok": False, "message": message})
    assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 0


async def test_an_oversized_upload_is_refused_before_it_is_read_whole(client, connection, monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "100000")
    status, body = await upload(client, b"\xff\xd8\xff" + b"\x00" * 200_000)
    assert status == 413 and body["message"].startswith("Dit bestand is te groot.")


async def test_the_links_of_a_message_are_kept(client, connection, session):
    response = await client.post("/widget/evidence", data=b"Zie https://x.com/a/status/1",
                                 headers={**auth(), "Content-Type": "text/plain; charset=utf-8"})
    assert await response.json() == {"ok": True, "message": "Ontvangen: 1 link. Die komt bij uw melding zodra u die verstuurt."}
    assert connection.execute(text("SELECT kind FROM evidence")).scalars().all() == ["link"]
    response = await client.post("/widget/evidence", data=b"geen link", headers={**auth(), "Content-Type": "text/plain"})
    assert response.status == 422 and (await response.json())["message"] == widget.NO_LINK


async def test_another_site_may_post_with_the_token_only(client):
    response = await client.options("/widget/evidence", headers={"Origin": "https://gemeente.example.nl",
                                                                 "Access-Control-Request-Method": "POST"})
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers  # no cookies: the token is the key


async def test_the_upload_hint_takes_its_size_from_the_setting(monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "3000000")
    app = web.Application()
    widget.add_routes(app, RasaClient("http://127.0.0.1:9", "token"))
    async with TestClient(TestServer(app)) as client:
        page = await (await client.get("/demo")).text()
    assert 'data-evidence-max-mb="3"' in page
    script = (Path(widget.__file__).parent / "static" / "meldhulp-widget.js").read_text(encoding="utf-8")
    assert "10 MB" not in script and "root.dataset.evidenceMaxMb" in script
