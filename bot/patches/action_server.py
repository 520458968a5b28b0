"""The action server as we run it: rasa_sdk 3.6's server with a shared token and a loopback address.

    python -m patches.action_server --actions actions --port 5055      (from bot/, in .venv-actions)

rasa-sdk 3.6 has no authentication and `rasa_sdk.endpoint.run` listens on 0.0.0.0 (or SANIC_HOST): anyone who
reached port 5055 could post a forged tracker to /webhook and have the report action file a report no
conversation ever had (issue 12). This launcher builds the same Sanic app (`rasa_sdk.endpoint.create_app`) and

1. refuses every request but GET /health without the header `X-Action-Token: <ACTION_SERVER_TOKEN>`
   (compared in constant time; 401, the request body is never read or logged). The Rasa server sends the
   header from its endpoints file (bot/endpoints.yml, deploy/endpoints.yml: `action_endpoint.headers`);
2. listens on ACTION_SERVER_HOST, 127.0.0.1 unless set (compose sets 0.0.0.0 on its internal network);
3. opens no CORS (rasa_sdk allows every origin by default; only the Rasa server calls this);
4. answers an action's exception with a plain 500 `{"error": "action failed"}`: rasa_sdk's own handler echoes
   the whole request body (the tracker, with the user's words) and logs the request.
5. keeps idle connections open for KEEP_ALIVE seconds (Sanic: 5). Rasa's aiohttp client keeps them 15 s, so
   with Sanic's 5 s Rasa now and then wrote a turn's action call into a connection the server was closing
   ("Cannot write to closing transport": the action failed; make probe's fuzz saw it every minute or so).
   The client must be the one that closes an idle connection.

It starts with a message naming ACTION_SERVER_TOKEN when that is not set.
When it can go: when the installed rasa-sdk checks a token and binds to a chosen address itself (3.6.2 does
neither). Check that a POST to /webhook without the header is refused (tests/bot/patches/test_action_server.py).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys

from core.config import SettingsError, get_settings

HEADER = "X-Action-Token"
KEEP_ALIVE = 75  # seconds; more than aiohttp's client keep-alive (15 s)
log = logging.getLogger("meldhulp.action_server")


def create_app(actions: str = "actions", token: str | None = None):
    """rasa_sdk's app for the `actions` package, guarded by `token` (default: ACTION_SERVER_TOKEN)."""
    from rasa_sdk.endpoint import create_app as sdk_create_app
    from sanic import response

    token = token if token is not None else get_settings().require(
        "ACTION_SERVER_TOKEN", "The Rasa server must send the same value (bot/endpoints.yml).")
    app = sdk_create_app(actions, cors_origins=None)
    app.config.KEEP_ALIVE_TIMEOUT = KEEP_ALIVE
    expected = token.encode()

    @app.middleware("request")
    async def require_token(request):
        if request.path == "/health" and request.method in ("GET", "HEAD"):
            return None
        given = request.headers.get(HEADER, "").encode()
        if not given or not hmac.compare_digest(given, expected):
            log.warning("action server: request without a valid %s refused (%s %s)", HEADER, request.method,
                        request.path)
            return response.json({"error": "unauthorized"}, status=401)
        return None

    # rasa_sdk's handler returns and logs the request body (the user's words); ours names only the exception type.
    async def action_failed(request, exception):
        log.error("action server: %s while running an action", type(exception).__name__)
        return response.json({"error": "action failed"}, status=500)

    app.error_handler.add(Exception, action_failed)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("sanic.access").setLevel(logging.WARNING)
    try:
        settings = get_settings()
        app = create_app(args.actions)
    except SettingsError as error:
        print(f"action server: {error}", file=sys.stderr)
        return 2
    if args.actions == "actions":
        # The outbox worker (actions/outbox.py) runs beside every action server, so a notification that
        # failed at filing is retried without a separate service; claims are atomic, so replicas are safe.
        from actions import aftercare, outbox, worker

        worker.start_thread("outbox", outbox.deliver_pending, settings.outbox_poll_seconds)
        aftercare.start_worker(settings.outbox_poll_seconds)  # issue 14: the aftercare check-ins, likewise
    log.info("action server on %s:%d (token required)", settings.action_server_host, args.port)
    app.run(settings.action_server_host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
