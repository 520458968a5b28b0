"""The widget's routes without a browser: history from a fake Rasa server, static files, the demo page."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from channels.rasa_client import RasaClient
from channels.widget import app as widget
from channels.widget import session as widget_session
from servers import free_port

SESSION = "0123456789abcdef0123456789abcdef"
ROLE_BUTTONS = [
    {"title": "Raadslid", "payload": '/inform{"role":"raadslid"}'},
    {"title": "Wethouder", "payload": '/inform{"role":"wethouder"}'},
]

# A tracker as Rasa's API returns it (include_events=ALL), cut down to the fields that matter.
TRACKER = {
    "sender_id": SESSION,
    "slots": {"category": "D", "role": "raadslid"},
    "latest_message": {"intent": {"name": "inform"}},
    "events": [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "Een man riep: ik weet waar je woont", "parse_data": {"intent": {"name": "tell_story"}},
         "input_channel": "socketio", "metadata": {"widget_message_id": "aa" * 16}},
        {"event": "slot", "name": "category", "value": "D"},
        {"event": "action", "name": "action_classify"},
        {"event": "bot", "text": "Dit is D-gedrag.\n\nU schrijft 'ik weet waar je woont'.\nDat is een bedreiging.",
         "data": {"buttons": None, "quick_replies": None, "custom": None}, "metadata": {"utter_action": "utter_x"}},
        {"event": "bot", "text": "Wat is uw rol?", "data": {"buttons": ROLE_BUTTONS}},
        {"event": "bot", "text": None, "data": {"image": "https://example.org/x.png"}},
        {"event": "user", "text": '/inform{"role":"raadslid"}', "parse_data": {"intent": {"name": "inform"}},
         "metadata": {"widget_message_id": "bb" * 16}},
        {"event": "slot", "name": "role", "value": "raadslid"},
        {"event": "user", "text": "EXTERNAL: griffie_resumed", "parse_data": {}},
        {"event": "bot", "text": "<img src=x onerror=alert(1)>", "data": {}},
        {"event": "user", "text": "Leiden", "metadata": {"widget_message_id": "<script>"}},
        {"event": "user_featurization", "use_text_for_featurization": False},
        {"event": "pause"},
    ],
}


def test_conversation_keeps_only_what_was_said():
    assert widget.conversation(TRACKER) == [
        {"sender": "user", "text": "Een man riep: ik weet waar je woont", "id": "aa" * 16},
        # split on blank lines like Rasa's socket.io channel; buttons with the last part
        {"sender": "bot", "text": "Dit is D-gedrag.", "buttons": []},
        {"sender": "bot", "text": "U schrijft 'ik weet waar je woont'.\nDat is een bedreiging.", "buttons": []},
        {"sender": "bot", "text": "Wat is uw rol?", "buttons": ROLE_BUTTONS},
        {"sender": "user", "text": "Raadslid", "id": "bb" * 16},  # the button's title, not its payload
        {"sender": "bot", "text": "<img src=x onerror=alert(1)>", "buttons": []},  # text stays text
        {"sender": "user", "text": "Leiden"},  # an id that is not hex is dropped
    ]


def test_conversation_of_an_empty_tracker():
    assert widget.conversation({}) == []
    assert widget.conversation({"events": []}) == []


@pytest.fixture
async def fake_rasa():
    """A Rasa API that returns TRACKER and records the requests."""
    seen = []

    async def tracker(request: web.Request) -> web.Response:
        seen.append(request)
        return web.json_response({**TRACKER, "sender_id": request.match_info["id"]})

    app = web.Application()
    app.router.add_get("/conversations/{id}/tracker", tracker)
    server = TestServer(app)
    await server.start_server()
    yield str(server.make_url("")).rstrip("/"), seen
    await server.close()


async def client_for(rasa: RasaClient) -> TestClient:
    app = web.Application()
    widget.add_routes(app, rasa)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture(autouse=True)
def widget_secret(monkeypatch):
    monkeypatch.setenv("WIDGET_SECRET", "w" * 32)


def token(session_id: str = SESSION) -> str:
    return widget_session.issue(session_id)[1]


async def test_history_reads_the_tracker_with_the_token(fake_rasa):
    url, seen = fake_rasa
    client = await client_for(RasaClient(url, "geheim"))
    try:
        response = await client.get(f"/widget/history/{token()}")
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        body = await response.json()
        assert body == {"messages": widget.conversation(TRACKER)}
        assert seen[0].query["token"] == "geheim"
        assert seen[0].match_info["id"] == SESSION
        text = await response.text()
        for internal in ("slot", "intent", "action_", "tell_story", "category", "parse_data", "EXTERNAL"):
            assert internal not in text
    finally:
        await client.close()


@pytest.mark.parametrize("session_id", ["abc", SESSION, SESSION.upper(), SESSION + "0", "telegram:123", "..%2F..%2Fstatus",
                                        "signed-elsewhere"])
async def test_history_without_a_valid_token_is_404(fake_rasa, session_id, monkeypatch):
    """A session id alone (the key before issue 12), a token from another secret or anything else reads nothing."""
    if session_id == "signed-elsewhere":
        session_id = token()
        monkeypatch.setenv("WIDGET_SECRET", "x" * 32)
    url, seen = fake_rasa
    client = await client_for(RasaClient(url, "geheim"))
    try:
        response = await client.get(f"/widget/history/{session_id}")
        assert response.status == 404
        assert not seen
    finally:
        await client.close()


async def test_history_when_rasa_is_down_is_503_in_dutch():
    client = await client_for(RasaClient(f"http://127.0.0.1:{free_port()}", "geheim", timeout=5))
    try:
        response = await client.get(f"/widget/history/{token()}")
        assert response.status == 503
        assert (await response.json())["error"].startswith("De chat is even niet bereikbaar.")
    finally:
        await client.close()


@pytest.mark.parametrize(("name", "content_type"), [
    ("meldhulp-widget.js", "text/javascript"),
    ("meldhulp-widget.css", "text/css"),
    ("demo.css", "text/css"),
    ("socket.io.min.js", "text/javascript"),
])
async def test_static_files_with_their_types(name, content_type):
    if name.startswith("socket.io") and not widget.STATIC[name][0].exists():
        pytest.skip("socket.io-client is not installed: run 'npm ci' in channels/widget")
    client = await client_for(RasaClient("http://127.0.0.1:9", ""))
    try:
        response = await client.get(f"/widget/static/{name}")
        assert response.status == 200
        assert response.content_type == content_type
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert len(await response.read()) > 100
    finally:
        await client.close()


@pytest.mark.parametrize("name", ["app.py", "..%2Fapp.py", "package.json", "axe.min.js"])
async def test_only_the_widget_files_are_served(name):
    client = await client_for(RasaClient("http://127.0.0.1:9", ""))
    try:
        assert (await client.get(f"/widget/static/{name}")).status == 404
    finally:
        await client.close()


async def test_demo_page_embeds_the_widget_under_a_strict_csp(monkeypatch):
    monkeypatch.setenv("RASA_PUBLIC_URL", "https://rasa.example.nl/")
    client = await client_for(RasaClient("http://127.0.0.1:5005", ""))
    try:
        response = await client.get("/demo")
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
        assert '<html lang="nl">' in page
        assert ('<div id="meldhulp-chat" data-server="https://rasa.example.nl" data-history="/widget/history" '
            'data-evidence="/widget/evidence" data-evidence-max-mb="10"></div>') in page
        assert re.findall(r"<script[^>]*>", page) == ['<script src="/widget/static/meldhulp-widget.js" defer>']
        csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
        assert csp["script-src"] == "'self'"  # no inline scripts
        assert csp["connect-src"] == "'self' https://rasa.example.nl wss://rasa.example.nl"
        assert csp["default-src"] == "'none'"
    finally:
        await client.close()


async def test_demo_page_defaults_to_the_rasa_url(monkeypatch):
    monkeypatch.delenv("RASA_PUBLIC_URL", raising=False)
    client = await client_for(RasaClient("http://127.0.0.1:5005", ""))
    try:
        response = await client.get("/demo")
        assert 'data-server="http://127.0.0.1:5005"' in await response.text()
        assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005;" in response.headers["Content-Security-Policy"]
    finally:
        await client.close()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://x; script-src *", "ftp://rasa"])
def test_a_strange_public_url_is_refused(monkeypatch, url):
    monkeypatch.setenv("RASA_PUBLIC_URL", url)
    with pytest.raises(ValueError):
        widget.add_routes(web.Application(), RasaClient("http://127.0.0.1:5005", ""))


def test_the_widget_never_writes_html():
    """Message texts only reach the page through textContent (the browser test checks it in practice)."""
    source = (widget.HERE / "static" / "meldhulp-widget.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, sink
