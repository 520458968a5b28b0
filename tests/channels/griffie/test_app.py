"""The griffie page: login, only its own municipality, escaped transcript, answers through the user's
channel (Rasa's socket.io output or a bridge), and handing back with a resume."""

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store.models import Handoff
from channels.bridge import send_app
from channels.griffie import app as griffie
from channels.griffie.accounts import Accounts, hash_password, verify_password
from channels.rasa_client import RasaClient
from tests.channels.griffie.conftest import login_form_token

PASSWORD = "een lang wachtwoord"
WIDGET_ID = "0123456789abcdef0123456789abcdef"


class FakeRasa:
    """Serves a tracker and records appended events with their query (output channel, side effects)."""

    def __init__(self):
        self.appended, self.events = [], []
        self.app = web.Application()
        self.app.router.add_get("/conversations/{cid}/tracker", self.tracker)
        self.app.router.add_post("/conversations/{cid}/tracker/events", self.append)

    async def tracker(self, request):
        assert request.query["token"] == "rasa-token"
        return web.json_response({"sender_id": request.match_info["cid"], "events": self.events})

    async def append(self, request):
        assert request.query["token"] == "rasa-token"
        self.appended.append((request.match_info["cid"], dict(request.query), await request.json()))
        return web.json_response({})


@pytest.fixture
async def setup(connection, tmp_path, monkeypatch):
    accounts = tmp_path / "accounts.yml"
    accounts.write_text(
        "accounts:\n"
        f"  griffie-leiden: {{municipality: leiden, display_name: Griffie Leiden, password_hash: '{hash_password(PASSWORD)}'}}\n"
        f"  griffie-nijmegen: {{municipality: nijmegen, display_name: Griffie Nijmegen, password_hash: '{hash_password(PASSWORD)}'}}\n"
    )
    with Session(connection) as session, session.begin():
        session.add_all([
            Handoff(conversation_id=WIDGET_ID, channel="socketio", municipality_key="leiden", municipality="Leiden", role="raadslid", category="D"),
            Handoff(conversation_id="telegram:42", channel="telegram", municipality_key="leiden", municipality="Leiden", role="wethouder"),
            Handoff(conversation_id="signal:+31600000001", channel="signal", municipality_key="nijmegen", municipality="Nijmegen", role="raadslid"),
        ])
    ids = dict(connection.execute(select(Handoff.conversation_id, Handoff.id)).all())

    rasa = FakeRasa()
    sent = []

    async def deliver(recipient, text, buttons):
        sent.append((recipient, text))

    servers = [TestServer(rasa.app), TestServer(send_app(deliver, "bridge-token"))]
    for server in servers:
        await server.start_server()
    monkeypatch.setenv("TELEGRAM_BRIDGE_URL", str(servers[1].make_url("/")))
    monkeypatch.setenv("BRIDGE_TOKEN", "bridge-token")
    app = web.Application()
    griffie.add_routes(app, RasaClient(str(servers[0].make_url("")).rstrip("/"), "rasa-token"),
                       accounts=Accounts(str(accounts)), secret="s" * 32)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client, rasa, sent, ids, connection
    await client.close()
    for server in servers:
        await server.close()


async def login(client, username="griffie-leiden", password=PASSWORD):
    token = await login_form_token(client)
    return await client.post("/griffie/login", data={"username": username, "password": password, "csrf": token},
                             allow_redirects=False)


async def csrf(client, path):
    page = await (await client.get(path)).text()
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


def test_passwords_are_hashed_with_a_salt():
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored and stored != hash_password(PASSWORD)
    assert verify_password(PASSWORD, stored) and not verify_password("fout", stored)


async def test_without_login_every_page_sends_you_to_the_login(setup):
    client, *_ = setup
    for path in ("/griffie/", "/griffie/handoffs/1"):
        response = await client.get(path, allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (302, "/griffie/login")
    forged = await client.get("/griffie/", cookies={"meldhulp_griffie": "griffie-leiden|9999999999|00"}, allow_redirects=False)
    assert forged.status == 302
    assert (await login(client, password="fout")).headers["Location"] == "/griffie/login?failed"


async def test_a_griffie_sees_only_its_own_municipality(setup):
    client, rasa, _sent, ids, _ = setup
    response = await login(client)
    assert response.status == 302 and "HttpOnly" in response.headers["Set-Cookie"]
    overview = await (await client.get("/griffie/")).text()
    assert overview.count("/griffie/handoffs/") == 2 and "wethouder" in overview
    assert f'/griffie/handoffs/{ids["signal:+31600000001"]}"' not in overview
    other = await client.get(f'/griffie/handoffs/{ids["signal:+31600000001"]}')
    assert other.status == 404
    assert (await client.get("/griffie/handoffs/abc")).status == 404


async def test_the_transcript_is_shown_as_text_never_as_html(setup):
    client, rasa, _sent, ids, _ = setup
    rasa.events = [
        {"event": "user", "text": "<script>alert(1)</script> hij riep dat hij weet waar ik woon", "timestamp": 1700000000},
        {"event": "bot", "text": "Wat is uw rol?", "data": {"buttons": [{"title": "Raadslid", "payload": "/x"}]}, "timestamp": 1700000001},
        {"event": "user", "text": "/x", "timestamp": 1700000002},
        {"event": "slot", "name": "role", "value": "raadslid"},
        {"event": "pause"},
    ]
    await login(client)
    page = await (await client.get(f"/griffie/handoffs/{ids[WIDGET_ID]}")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hij riep" in page and "<script>" not in page
    assert "[Knoppen: Raadslid]" in page and "Gesprek overgedragen aan de griffie" in page
    assert "/x" not in page  # a button press is shown with its title, as the user saw it
    assert "role" not in page.split("<h2>Gesprek</h2>")[1].split("Uw antwoord")[0]  # no slots or internals
    response = await client.get(f"/griffie/handoffs/{ids[WIDGET_ID]}")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_an_answer_to_a_widget_user_goes_through_rasas_socketio_channel(setup):
    client, rasa, sent, ids, _ = setup
    await login(client)
    path = f"/griffie/handoffs/{ids[WIDGET_ID]}"
    response = await client.post(f"{path}/reply", data={"csrf": await csrf(client, path), "text": "Ik bel u zo."}, allow_redirects=False)
    assert response.headers["Location"] == f"{path}?msg=sent"
    [(cid, query, events)] = rasa.appended
    assert cid == WIDGET_ID and query["output_channel"] == "socketio" and query["execute_side_effects"] == "true"
    assert events == [{"event": "bot", "text": "Griffie Leiden: Ik bel u zo.", "metadata": {"from": "griffie", "by": "griffie-leiden"}}]
    assert sent == []


async def test_an_answer_to_a_telegram_user_goes_through_the_bridge_and_into_the_transcript(setup):
    client, rasa, sent, ids, _ = setup
    await login(client)
    path = f"/griffie/handoffs/{ids['telegram:42']}"
    await client.post(f"{path}/reply", data={"csrf": await csrf(client, path), "text": "Goedemiddag"})
    assert sent == [("42", "Griffie Leiden: Goedemiddag")]
    [(cid, query, events)] = rasa.appended
    assert cid == "telegram:42" and "output_channel" not in query and events[0]["text"] == "Griffie Leiden: Goedemiddag"


async def test_a_failed_delivery_is_reported_and_not_recorded(setup, monkeypatch):
    client, rasa, sent, ids, _ = setup
    monkeypatch.setenv("BRIDGE_TOKEN", "wrong")
    await login(client)
    path = f"/griffie/handoffs/{ids['telegram:42']}"
    response = await client.post(f"{path}/reply", data={"csrf": await csrf(client, path), "text": "Hallo"}, allow_redirects=False)
    assert response.headers["Location"] == f"{path}?msg=failed"
    assert rasa.appended == [] and sent == []
    assert "Het versturen is niet gelukt" in await (await client.get(response.headers["Location"])).text()


async def test_forms_need_the_csrf_token(setup):
    client, rasa, _sent, ids, _ = setup
    await login(client)
    response = await client.post(f"/griffie/handoffs/{ids[WIDGET_ID]}/reply", data={"text": "x"})
    assert response.status == 403 and rasa.appended == []


async def test_handing_back_resumes_the_conversation_and_closes_the_handoff(setup):
    client, rasa, _sent, ids, connection = setup
    await login(client)
    path = f"/griffie/handoffs/{ids[WIDGET_ID]}"
    await client.post(f"{path}/resume", data={"csrf": await csrf(client, path)})
    [(_cid, query, events)] = rasa.appended
    assert [e["event"] for e in events] == ["resume", "bot", "action"] and events[2]["name"] == "action_listen"
    assert "teruggegeven aan de assistent" in events[1]["text"] and query["output_channel"] == "socketio"
    status = connection.execute(select(Handoff.status, Handoff.closed_by).where(Handoff.id == ids[WIDGET_ID])).one()
    assert tuple(status) == ("closed", "griffie-leiden")
    page = await (await client.get(path)).text()
    assert "Uw antwoord" not in page  # no reply form on a closed handoff


def test_the_griffie_sees_only_the_session_of_the_handoff_until_the_hand_back():
    from datetime import UTC, datetime

    asked = datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp()
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": asked - 86400},
        {"event": "user", "text": "een oud verhaal van gisteren", "timestamp": asked - 86000},
        {"event": "action", "name": "action_session_start", "timestamp": asked - 600},
        {"event": "user", "text": "hij bedreigde mij vandaag", "timestamp": asked - 500},
        {"event": "pause", "timestamp": asked + 1},
        {"event": "resume", "timestamp": asked + 3600},
        {"event": "user", "text": "later, na het teruggeven", "timestamp": asked + 7200},
    ]
    created = datetime.fromtimestamp(asked + 1, UTC).replace(tzinfo=None)  # as SQLite returns it
    closed = datetime.fromtimestamp(asked + 3600, UTC)
    texts = [e.get("text") for e in griffie.this_conversation(events, created, closed) if e.get("text")]
    assert texts == ["hij bedreigde mij vandaag"]
    assert [e["event"] for e in griffie.this_conversation(events, created, None)][-1] == "user"  # still open: all since


async def test_another_municipalitys_handoff_cannot_be_answered_or_handed_back(setup):
    client, rasa, sent, ids, _ = setup
    await login(client)
    token = await csrf(client, "/griffie/")
    other = f'/griffie/handoffs/{ids["signal:+31600000001"]}'
    for action in ("reply", "resume"):
        response = await client.post(f"{other}/{action}", data={"csrf": token, "text": "x"}, allow_redirects=False)
        assert response.status == 404
    assert rasa.appended == [] and sent == []


async def test_a_second_hand_back_does_nothing(setup):
    client, rasa, _sent, ids, _ = setup
    await login(client)
    path = f"/griffie/handoffs/{ids[WIDGET_ID]}"
    token = await csrf(client, path)
    await client.post(f"{path}/resume", data={"csrf": token})
    second = await client.post(f"{path}/resume", data={"csrf": token}, allow_redirects=False)
    assert second.headers["Location"] == f"{path}?msg=closed"
    assert len(rasa.appended) == 1


async def test_a_name_is_locked_after_five_wrong_passwords(setup):
    client, *_ = setup
    client.server.app[griffie.FAILURE_DELAY] = 0.0
    for _ in range(5):
        assert (await login(client, password="fout")).headers["Location"] == "/griffie/login?failed"
    assert (await login(client)).headers["Location"] == "/griffie/login?failed"  # the right one, too late
    assert (await login(client, username="griffie-nijmegen")).headers["Location"] == "/griffie/"  # others are not locked
