"""The griffie web app against the real aiohttp app and the test database (a rolled-back transaction per test):
the demo accounts and demo reports (channels/griffie/demo_data.py), a fake Rasa API for transcripts and messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store.models import Report
from channels.griffie import app as griffie
from channels.griffie import demo_data
from channels.griffie.accounts import Accounts, hash_password
from channels.rasa_client import RasaClient

PASSWORD = "een lang demo-wachtwoord"
_HASH = hash_password(PASSWORD)  # scrypt once per test run


class FakeRasaApi:
    """Rasa's HTTP API as the griffie page uses it: a tracker per conversation, appended events recorded."""

    def __init__(self) -> None:
        self.trackers: dict[str, list[dict]] = {}
        self.appended: list[tuple[str, dict, list]] = []
        self.app = web.Application()
        self.app.router.add_get("/conversations/{cid}/tracker", self.tracker)
        self.app.router.add_post("/conversations/{cid}/tracker/events", self.append)

    async def tracker(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        return web.json_response({"sender_id": cid, "events": self.trackers.get(cid, [])})

    async def append(self, request: web.Request) -> web.Response:
        self.appended.append((request.match_info["cid"], dict(request.query), await request.json()))
        return web.json_response({})


async def login_form_token(client: TestClient) -> str:
    """Open the login page as a browser does: its CSRF cookie lands in the client's jar, the token is returned."""
    text = await (await client.get("/griffie/login")).text()
    return re.search(r'name="csrf" value="([0-9a-f]+)"', text).group(1)


@dataclass
class Site:
    client: TestClient
    rasa: FakeRasaApi
    connection: object
    references: dict[str, str] = field(default_factory=dict)  # demo key -> reference

    async def login(self, username: str) -> None:
        self.client.session.cookie_jar.clear()
        response = await self.client.post("/griffie/login", data={"username": username, "password": PASSWORD,
                                                                  "csrf": await login_form_token(self.client)},
                                          allow_redirects=False)
        assert response.status == 302 and response.headers["Location"] == "/griffie/", username

    async def csrf(self, path: str = "/griffie/meldingen") -> str:
        text = await (await self.client.get(path)).text()
        return re.search(r'name="csrf" value="([0-9a-f]+)"', text).group(1)


@pytest.fixture
async def site(connection, tmp_path):
    accounts = tmp_path / "accounts.yml"
    accounts.write_text("accounts:\n" + "".join(a.yaml(_HASH) for a in demo_data.ACCOUNTS))
    with Session(connection) as session, session.begin():
        demo_data.seed(session, by="griffie-leiden")
    references = {}
    for demo in demo_data.REPORTS:
        references[demo.key] = connection.execute(select(Report.reference).where(Report.draft_id == f"demo-{demo.key}")).scalar_one()
    rasa = FakeRasaApi()
    rasa_server = TestServer(rasa.app)
    await rasa_server.start_server()
    app = web.Application()
    griffie.add_routes(app, RasaClient(str(rasa_server.make_url("")).rstrip("/"), "rasa-token"),
                       accounts=Accounts(str(accounts)), secret="s" * 32)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Site(client, rasa, connection, references)
    await client.close()
    await rasa_server.close()
