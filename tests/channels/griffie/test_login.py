"""Griffie login under attack (issue 12 item 5): the lockout per account holds against concurrent guesses (in the
database), an unknown name takes as long as a known one, logout kills the cookie on the server, and the login
form needs its CSRF token."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import create_engine, delete

from actions.store import auth, db
from channels.griffie import accounts as accounts_module
from channels.griffie import app as griffie
from channels.griffie.accounts import Accounts, hash_password
from channels.griffie.session import COOKIE
from channels.rasa_client import RasaClient
from tests.channels.griffie.conftest import PASSWORD, login_form_token


async def post_login(client, username, password, token=None):
    token = token if token is not None else await login_form_token(client)
    return await client.post("/griffie/login", data={"username": username, "password": password, "csrf": token},
                             allow_redirects=False)


def leiden_account(tmp_path) -> Accounts:
    """An accounts file with one account, griffie-leiden, whose password is PASSWORD."""
    accounts_file = tmp_path / "accounts.yml"
    accounts_file.write_text(f"accounts:\n  griffie-leiden:\n    municipality: leiden\n    password_hash: \"{hash_password(PASSWORD)}\"\n")
    return Accounts(str(accounts_file))


@contextlib.asynccontextmanager
async def login_client(accounts: Accounts):
    """The griffie app with these accounts and no delay after a failure: (client, a login form token)."""
    app = web.Application()
    griffie.add_routes(app, RasaClient("http://127.0.0.1:9", "t"), accounts=accounts, secret="s" * 32)
    async with TestClient(TestServer(app)) as client:
        app[griffie.FAILURE_DELAY] = 0.0
        yield client, await login_form_token(client)


# --- CSRF on the login form and logout ---------------------------------------------------------------------------
async def test_a_login_without_the_forms_token_is_refused_and_not_counted(site):
    client = site.client
    client.session.cookie_jar.clear()
    for token in ("", "0" * 64):
        response = await client.post("/griffie/login", data={"username": "griffie-leiden", "password": PASSWORD,
                                                            "csrf": token}, allow_redirects=False)
        assert response.headers["Location"] == "/griffie/login?expired" and COOKIE not in response.cookies
    # the token of one browser does not work from another (no login cookie): a cross-site post
    token = await login_form_token(client)
    client.session.cookie_jar.clear()
    response = await post_login(client, "griffie-leiden", PASSWORD, token)
    assert response.headers["Location"] == "/griffie/login?expired"
    assert auth.attempts("griffie-leiden") == 0
    expired = await (await client.get("/griffie/login?expired")).text()
    assert "Het formulier was verlopen" in expired
    assert (await post_login(client, "griffie-leiden", PASSWORD)).headers["Location"] == "/griffie/"


async def test_after_logout_the_old_cookie_is_dead(site):
    await site.login("griffie-leiden")
    cookie = site.client.session.cookie_jar.filter_cookies(site.client.make_url("/griffie/"))[COOKIE].value
    assert (await site.client.get("/griffie/meldingen", allow_redirects=False)).status == 200
    response = await site.client.post("/griffie/logout", data={"csrf": await site.csrf()}, allow_redirects=False)
    assert response.headers["Location"] == "/griffie/login"
    site.client.session.cookie_jar.clear()
    replay = await site.client.get("/griffie/meldingen", cookies={COOKIE: cookie}, allow_redirects=False)
    assert (replay.status, replay.headers["Location"]) == (302, "/griffie/login")
    # a second login gets a new, working session
    await site.login("griffie-leiden")
    assert (await site.client.get("/griffie/meldingen", allow_redirects=False)).status == 200


def test_a_session_ends_at_its_expiry_and_at_revocation(connection):
    now = datetime.now(UTC)
    session_id, expires = auth.start_session("griffie-leiden", now)
    assert auth.session_user(session_id, now) == "griffie-leiden"
    assert auth.session_user(session_id, expires + timedelta(seconds=1)) is None
    assert auth.session_user("made-up", now) is None
    assert auth.end_session(session_id) and not auth.end_session(session_id)
    assert auth.session_user(session_id, now) is None


def test_the_window_starts_again_after_the_lockout(connection):
    now = datetime.now(UTC)
    assert [auth.claim_attempt("someone", now) for _ in range(6)] == [True] * 5 + [False]
    assert not auth.claim_attempt("someone", now + timedelta(seconds=auth.LOCKOUT_SECONDS - 1))
    later = now + timedelta(seconds=auth.LOCKOUT_SECONDS + 1)
    assert auth.claim_attempt("someone", later) and auth.attempts("someone") == 1
    auth.clear_attempts("someone")
    assert auth.attempts("someone") == 0


# --- the lockout race, against a real engine (separate connections, real concurrency) --------------------------------
@pytest.fixture
def shared_engine(migrated_url, monkeypatch):
    engine = create_engine(migrated_url, connect_args={"timeout": 30} if migrated_url.startswith("sqlite") else {})
    monkeypatch.setattr(db, "engine", lambda url=None: engine)
    yield engine
    with engine.begin() as conn:
        conn.execute(delete(auth.LoginAttempts))
        conn.execute(delete(auth.GriffieSession))
    engine.dispose()


def test_concurrent_claims_never_exceed_the_allowed_number(shared_engine):
    results: list[bool] = []
    start = threading.Barrier(20)

    def guess() -> None:
        start.wait()
        results.append(auth.claim_attempt("griffie-race"))

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == auth.MAX_ATTEMPTS and auth.attempts("griffie-race") == auth.MAX_ATTEMPTS


async def test_concurrent_wrong_guesses_check_at_most_five_passwords_then_the_account_is_locked(shared_engine, tmp_path):
    accounts = leiden_account(tmp_path)
    checked: list[str] = []
    original = accounts.check

    def counting_check(username: str, password: str):
        if username:
            checked.append(password)
        return original(username, password)

    accounts.check = counting_check  # type: ignore[method-assign]
    async with login_client(accounts) as (client, token):
        answers = await asyncio.gather(*(post_login(client, "griffie-leiden", f"gok {i}", token) for i in range(20)))
        assert {a.headers["Location"] for a in answers} == {"/griffie/login?failed"}
        assert len(checked) <= griffie.MAX_FAILURES and auth.attempts("griffie-leiden") == griffie.MAX_FAILURES
        right = await post_login(client, "griffie-leiden", PASSWORD, token)
        assert right.headers["Location"] == "/griffie/login?failed"  # the right password, but locked
        assert PASSWORD not in checked  # not even checked


# --- an unknown name takes as long as a known one ------------------------------------------------------------------
def test_an_unknown_name_is_checked_against_a_dummy_scrypt_hash(tmp_path, monkeypatch):
    accounts = leiden_account(tmp_path)
    seen: list[str] = []
    verify = accounts_module.verify_password
    monkeypatch.setattr(accounts_module, "verify_password", lambda p, stored: seen.append(stored) or verify(p, stored))
    assert accounts.check("onbekend", PASSWORD) is None and accounts.check("griffie-leiden", "fout") is None
    assert len(seen) == 2 and all(s.startswith("scrypt$") for s in seen)

    def median(username: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            accounts.check(username, "fout")
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    known, unknown = median("griffie-leiden"), median("onbekend")
    assert 0.5 < unknown / known < 2.0, (known, unknown)  # the same scrypt work; a few ms of noise on a busy machine


# --- review of issue 12: odd names, purging on failures, scrypt at most four at a time -------------------------------
@pytest.mark.parametrize("username", ["griffie-leiden\x00", "\x00", "griffie\x1bleiden", "\x7f"])
async def test_a_name_with_a_control_character_is_answered_as_a_wrong_password(site, username):
    """A NUL in the name gave a 500 on PostgreSQL (it refuses NUL in text): now the answer of a wrong password."""
    checked: list[str] = []
    accounts = site.client.server.app[griffie.ACCOUNTS]
    original = accounts.check
    accounts.check = lambda name, password: checked.append(name) or original(name, password)  # type: ignore[method-assign]
    site.client.server.app[griffie.FAILURE_DELAY] = 0.0
    try:
        response = await post_login(site.client, username, PASSWORD)
    finally:
        accounts.check = original  # type: ignore[method-assign]
    assert (response.status, response.headers["Location"]) == (302, "/griffie/login?failed")
    assert checked == [""]  # the dummy hash: the same time as a wrong password
    assert (await post_login(site.client, "griffie-leiden", PASSWORD)).headers["Location"] == "/griffie/"


async def test_failed_logins_purge_the_attempt_windows_that_are_over(site, monkeypatch):
    import itertools

    from sqlalchemy import func, select

    monkeypatch.setattr(auth, "PURGE_EVERY", 3)
    monkeypatch.setattr(auth, "_failures", itertools.count(1))
    site.client.server.app[griffie.FAILURE_DELAY] = 0.0
    long_ago = datetime.now(UTC) - timedelta(seconds=auth.LOCKOUT_SECONDS + 60)
    for i in range(5):  # made-up names from a while ago: their windows are over
        assert auth.claim_attempt(f"verzonnen-{i}", long_ago)

    def rows() -> int:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(auth.LoginAttempts))

    assert rows() == 5
    for i in range(2):
        await post_login(site.client, f"nog-een-{i}", "fout")
    assert rows() == 7  # not yet
    await post_login(site.client, "nog-een-2", "fout")  # the third failure purges
    assert rows() == 3  # only the three names of this window are left


async def test_at_most_four_password_checks_run_at_once(shared_engine, tmp_path):
    accounts = leiden_account(tmp_path)
    running, most = [0], [0]
    lock = threading.Lock()
    original = accounts.check

    def slow_check(name, password):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.05)
            return original(name, password)
        finally:
            with lock:
                running[0] -= 1

    accounts.check = slow_check  # type: ignore[method-assign]
    async with login_client(accounts) as (client, token):
        answers = await asyncio.gather(*(post_login(client, f"naam-{i}", "fout", token) for i in range(12)))
    assert {a.headers["Location"] for a in answers} == {"/griffie/login?failed"}
    assert 1 < most[0] <= griffie.SCRYPT_AT_ONCE == 4  # without the gate: up to the thread pool (6 on 2 cores)
