"""The web service: the chat widget with its demo page, and the griffie page. `python -m channels.web`.

Settings (core.config): RASA_URL (server side), RASA_TOKEN (Rasa API: transcripts, griffie answers), RASA_PUBLIC_URL
(the Rasa address a browser can reach, for the widget), GRIFFIE_SECRET, GRIFFIE_ACCOUNTS_FILE, DATABASE_URL,
TELEGRAM_BRIDGE_URL / SIGNAL_BRIDGE_URL and BRIDGE_TOKEN (to answer users on those channels), WEB_HOST, WEB_PORT.
"""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from channels.griffie import app as griffie
from channels.rasa_client import RasaClient
from channels.widget import app as widget
from core.config import SettingsError, get_settings


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def make_app(rasa: RasaClient | None = None) -> web.Application:
    rasa = rasa or RasaClient()
    app = web.Application(client_max_size=64 * 1024)
    app.router.add_get("/health", health)
    widget.add_routes(app, rasa)
    griffie.add_routes(app, rasa)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # access logs would carry conversation ids
    try:
        settings = get_settings()
        app = make_app()
    except (SettingsError, RuntimeError) as error:  # a missing or wrong setting: one line naming it, no traceback
        sys.exit(f"channels.web: {error}")
    web.run_app(app, host=settings.web_host, port=settings.web_port)


if __name__ == "__main__":
    main()
