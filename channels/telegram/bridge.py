"""The Telegram bridge: Telegram users talk to the Rasa assistant through python-telegram-bot (PTB) 22.

Long polling by default, so a municipality behind a firewall needs no public HTTPS address; a webhook
(`TELEGRAM_MODE=webhook`) is an option. Both share one aiohttp server with `GET /health` and `POST /send`
(channels.bridge.send_app); in webhook mode it also takes Telegram's updates on `WEBHOOK_PATH`.

Photos and documents (issue 14) are evidence: downloaded through the Bot API's getFile, checked and kept with
the report by channels.evidence, and answered here ("Ontvangen: 1 foto. Die hoort nu bij melding MLD-..."); a caption
goes on to Rasa as text. Links in a text message are kept as evidence too, and the text goes to Rasa as usual.

Privacy: logs carry chat ids, lengths and error types, never what the user or the bot says.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hashlib
import hmac
import logging
import re
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from aiohttp import web
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters
from telegram.helpers import escape_markdown

from channels import evidence, idempotency
from channels.bridge import RasaForwarder, send_app, serve, stop_on_signals
from channels.rasa_client import RasaClient, sender_id
from channels.retry import backoff, retry
from core.config import Settings, SettingsError, get_settings

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org/bot"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATES = ["message", "edited_message", "callback_query"]
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_CALLBACK_DATA = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
KEY_PREFIX = "#"  # callback_data starting with this stands for a payload too long for Telegram

GREETING = "hallo"  # what /start means to Rasa
ONLY_TEXT = (
    "Spraakberichten, video's en stickers kan ik niet lezen of bewaren. Foto's, screenshots en PDF-bestanden wel. "
    "Wilt u in woorden beschrijven wat er gebeurde?"
)
EDITED = "Ik lees alleen nieuwe berichten. Stuur de verbetering als nieuw bericht."
EXPIRED_BUTTON = "Deze knop werkt niet meer. Typ uw antwoord in een bericht."
ALREADY_CHOSEN = "U heeft hier al gekozen."
CHOOSE = "Kies een antwoord:"  # Telegram needs text above buttons

T = TypeVar("T")


ConfigError = SettingsError  # the environment does not describe a bridge that can run; the text says what to set


@dataclass(frozen=True)
class Config:
    token: str
    api_url: str = DEFAULT_API_URL
    mode: str = "polling"
    webhook_url: str = ""
    webhook_secret: str = ""
    rasa_url: str = ""
    bridge_token: str = ""
    host: str = "0.0.0.0"
    port: int = 8081

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """From the settings (core.config), or from `env` when given (tests)."""
        return cls.from_settings(get_settings() if env is None else Settings.from_env(env))

    @classmethod
    def from_settings(cls, settings: Settings) -> Config:
        token = settings.telegram_bot_token
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather in Telegram and set its token.")
        mode = settings.telegram_mode
        if mode not in ("polling", "webhook"):
            raise ConfigError(f"TELEGRAM_MODE must be 'polling' or 'webhook', not {mode!r}.")
        webhook_url, secret = settings.telegram_webhook_url, settings.telegram_webhook_secret
        if mode == "webhook":
            if not webhook_url.startswith("https://"):
                raise ConfigError(f"TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL, the public https:// address of {WEBHOOK_PATH}.")
            # Without a secret anyone who finds the address could post fake messages in a user's name.
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise ConfigError("TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET: 1-256 characters A-Z, a-z, 0-9, _ or -.")
        return cls(
            token=token,
            api_url=settings.telegram_api_url,
            mode=mode,
            webhook_url=webhook_url,
            webhook_secret=secret,
            rasa_url=settings.rasa_url,
            bridge_token=settings.bridge_token,
            host=settings.bridge_host,
            port=cls.port if settings.bridge_port is None else settings.bridge_port,
        )

    @property
    def file_url(self) -> str:
        """The Bot API serves files under /file/bot<token> next to /bot<token> (Telegram and a local Bot API server)."""
        return self.api_url.removesuffix("/bot") + "/file/bot" if self.api_url.endswith("/bot") else self.api_url


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or space where possible."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [piece for piece in [*pieces, text] if piece.strip()]


def as_rasa_text(text: str) -> str:
    """/start greets; other commands go as words ('/stop' -> 'stop'), because Rasa reads '/name' as an intent."""
    if not text.startswith("/"):
        return text
    command, _, rest = text[1:].partition(" ")
    command = command.split("@")[0]  # '/start@meldhulp_bot' in a chat with several bots
    return GREETING if command == "start" else f"{command} {rest}".strip()


def _seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def with_retry(call: Callable[[], Awaitable[T]], what: str, attempts: int = 5, first_delay: float = 1.0) -> T:
    """Survive short network trouble: retry NetworkError and TimedOut with backoff, wait as told on RetryAfter.

    BadRequest is a NetworkError too, but the same request fails again, so it is not retried."""

    def delay(attempt: int, error: Exception) -> float | None:
        if not isinstance(error, NetworkError | RetryAfter):
            return None
        if isinstance(error, BadRequest) or attempt == attempts:
            log.error("%s failed after %d attempt(s): %s", what, attempt, type(error).__name__)
            return None
        return _seconds(error.retry_after) if isinstance(error, RetryAfter) else backoff(attempt, first_delay)

    def warn(attempt: int, error: Exception, wait: float) -> None:
        log.warning("%s: %s on attempt %d of %d; retrying in %.2f s", what, type(error).__name__, attempt, attempts, wait)

    return await retry(call, attempts=attempts, delay=delay, before_retry=warn)


def _escaped(text: str) -> str:
    # Bot texts are plain: every '.', '(', '-', '!', '+', '*' must appear literally, so everything is escaped.
    return escape_markdown(text, version=2)


class TelegramBridge:
    def __init__(self, config: Config, rasa: RasaClient | None = None, *, send_attempts: int = 5, send_delay: float = 1.0,
                 rasa_delay: float = 1.0, poll_timeout: float = 10.0, shutdown_grace: float = 5.0) -> None:
        self.config = config
        self.send_attempts, self.send_delay = send_attempts, send_delay
        self.poll_timeout, self.shutdown_grace = poll_timeout, shutdown_grace
        builder = Application.builder().token(config.token).base_url(config.api_url).base_file_url(config.file_url)
        if config.mode == "webhook":
            builder = builder.updater(None)  # updates come in through our own aiohttp route
        self.application = builder.build()
        self.forwarder = RasaForwarder(rasa or RasaClient(config.rasa_url, bridge_token=config.bridge_token), "telegram", self.reply, self.notice,
                                       first_delay=rasa_delay)
        self.runner: web.AppRunner | None = None
        self._long_payloads: dict[int, dict[str, str]] = {}  # chat id -> {short key: payload}
        self._pressed: dict[tuple[int, int], None] = {}  # (chat id, message id) of answered keyboards, oldest first
        # chat id -> the message ids of the bot's newest keyboard(s): a button under any older message is expired
        # (a "Ja, indienen" under an older summary must not file the newer one). Unknown chat (after a restart): as before.
        self._live_keyboards: dict[int, frozenset[int]] = {}

        private = filters.ChatType.PRIVATE  # one person per conversation: group messages would mix people's stories
        self.application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT, self.on_text))
        # These two only answer, so they need not wait their turn (block=False); text and buttons keep their order.
        self.application.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, self.on_edited, block=False))
        # Evidence: a download can take a while, so it does not hold up the text messages behind it.
        self.application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.ALL),
                                                    self.on_file, block=False))
        self.application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & filters.ATTACHMENT, self.on_other,
                                                    block=False))
        self.application.add_handler(CallbackQueryHandler(self.on_button))
        self.application.add_error_handler(self.on_error)

    # Telegram -> Rasa

    async def on_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None  # the handler's filter: a text message
        text = as_rasa_text(message.text)
        log.debug("chat %s: text message, %d characters", message.chat_id, len(text))
        if text.strip():
            await self.forwarder.submit(str(message.chat_id), text)
            await self.keep_links(message.chat_id, text)

    def _sender(self, chat_id: int) -> evidence.Sender:
        return evidence.Sender("telegram", sender_id("telegram", str(chat_id)))

    async def keep_links(self, chat_id: int, text: str) -> None:
        """Links in a text are evidence: kept, and the user hears so (the text itself has gone to Rasa)."""
        if evidence.find_links(text):
            result = await asyncio.to_thread(evidence.receive_links, self._sender(chat_id), text)
            if result is not None:
                await self.send(chat_id, result[1])

    async def on_file(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo or a document: evidence for the report. A caption goes to Rasa as a text message."""
        message = update.effective_message
        assert message is not None  # the handler's filter: a photo or a document
        chat_id = message.chat_id
        log.debug("chat %s: file message", chat_id)
        await self.send(chat_id, await self._receive_file(message))
        if message.caption and message.caption.strip():
            await self.forwarder.submit(str(chat_id), message.caption)
            await self.keep_links(chat_id, message.caption)

    async def _receive_file(self, message: Message) -> str:
        """Download, check and keep the file; what to tell the user."""
        limit = evidence.max_bytes()
        if message.photo:
            # Telegram sends one photo in several sizes, smallest first: the largest that fits the limit.
            fitting = [p for p in message.photo if not p.file_size or p.file_size <= limit]
            file_id, size, name = (fitting or message.photo)[-1].file_id, (fitting or message.photo)[-1].file_size, None
        else:
            assert message.document is not None
            file_id, size, name = message.document.file_id, message.document.file_size, message.document.file_name
        if size and size > limit:
            return evidence.too_large().text
        try:
            telegram_file = await with_retry(partial(self.application.bot.get_file, file_id), f"getFile for chat {message.chat_id}",
                                             self.send_attempts, self.send_delay)
            data = bytes(await telegram_file.download_as_bytearray())
        except TelegramError as error:
            log.warning("chat %s: file not downloaded: %s", message.chat_id, type(error).__name__)
            too_big = isinstance(error, BadRequest) and "too big" in str(error).lower()
            return evidence.too_large().text if too_big else evidence.NOT_DOWNLOADED
        try:
            _, answer = await asyncio.to_thread(evidence.receive_file, self._sender(message.chat_id), data, name)
        except Exception as error:  # anything else (the store, the key, a bug): the user still hears, calmly
            log.error("chat %s: file not kept (%s)", message.chat_id, type(error).__name__)
            return evidence.NOT_STORED
        return answer

    async def on_other(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, voice messages, videos: neither read nor kept."""
        chat = update.effective_chat
        assert chat is not None  # the handler's filter: a private chat
        log.debug("chat %s: non-text message", chat.id)
        await self.send(chat.id, ONLY_TEXT)

    async def on_edited(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        # Rasa has already answered the original; an edit cannot change that conversation.
        chat = update.effective_chat
        assert chat is not None  # the handler's filter: a private chat
        await self.send(chat.id, EDITED)

    async def on_button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None  # a CallbackQueryHandler
        message = query.message
        chat_id = message.chat.id if message else query.from_user.id
        data = query.data or ""
        payload = self._long_payloads.get(chat_id, {}).get(data) if data.startswith(KEY_PREFIX) else query.data
        if not payload or not isinstance(message, Message):  # a key from before a restart, or a message too old to show
            log.info("chat %s: button without a known payload", chat_id)
            await self._quietly(query.answer(EXPIRED_BUTTON), chat_id, "answerCallbackQuery")
            return
        live = self._live_keyboards.get(chat_id)
        if live is not None and message.message_id not in live:  # a keyboard under an older message
            log.info("chat %s: button under an older message", chat_id)
            await self._quietly(query.answer(EXPIRED_BUTTON), chat_id, "answerCallbackQuery")
            await self._quietly(query.edit_message_reply_markup(None), chat_id, "removing an old keyboard")
            return
        pressed = (chat_id, message.message_id)
        if pressed in self._pressed:  # a second press before the keyboard was gone
            await self._quietly(query.answer(ALREADY_CHOSEN), chat_id, "answerCallbackQuery")
            return
        self._pressed[pressed] = None
        if len(self._pressed) > 10_000:
            del self._pressed[next(iter(self._pressed))]
        await self._quietly(query.answer(), chat_id, "answerCallbackQuery")  # stops the button's spinner
        await self._quietly(self._show_choice(query, message), chat_id, "closing the keyboard")
        await self.forwarder.submit(str(chat_id), payload)

    async def _show_choice(self, query: CallbackQuery, message: Message) -> None:
        """Replace the buttons by the chosen option under the question, so the choice stays visible and cannot be made twice."""
        keyboard = message.reply_markup.inline_keyboard if message.reply_markup else ()
        title = next((button.text for row in keyboard for button in row if button.callback_data == query.data), None)
        text = f"{message.text}\n\n✓ {title}" if message.text and title else ""
        if text and len(text) <= MAX_TEXT:
            await query.edit_message_text(_escaped(text), parse_mode=ParseMode.MARKDOWN_V2)
        else:
            await query.edit_message_reply_markup(None)

    async def _quietly(self, call: Awaitable, chat_id: int, what: str) -> None:
        """For calls whose failure must not stop the user's message (the spinner, the keyboard)."""
        try:
            await call
        except TelegramError as error:
            log.warning("chat %s: %s failed: %s", chat_id, what, type(error).__name__)

    async def on_error(self, _: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # PTB would log the whole update; the type of the error and its traceback are enough.
        log.error("handling a Telegram update failed: %s", type(context.error).__name__, exc_info=context.error)

    # Rasa (and the griffie) -> Telegram

    async def reply(self, address: str, replies: list[dict]) -> None:
        keyboards: list[int] = []  # the keyboards of this turn: together they are the live ones
        for message in replies:
            text = "\n".join(part for part in (message.get("text"), message.get("image")) if part)
            if not text and not message.get("buttons"):
                log.info("chat %s: skipped a reply without text (keys: %s)", address, sorted(message))
                continue
            shown = await self.send(int(address), text, message.get("buttons") or [], remember=False)
            keyboards += [shown] if shown is not None else []
        if keyboards:
            self._remember_keyboards(int(address), keyboards)

    async def notice(self, address: str, text: str) -> None:
        await self.send(int(address), text)

    async def deliver(self, address: str, text: str, buttons: list[dict]) -> None:
        """POST /send: the griffie answers this chat."""
        await self.send(int(address), text, buttons)

    async def send(self, chat_id: int, text: str, buttons: list[dict] | None = None, remember: bool = True) -> int | None:
        """Text as MarkdownV2, fully escaped; long texts in pieces; the buttons under the last piece. Returns the
        message id of the keyboard (None without buttons); with `remember`, it is from now on the only live one."""
        pieces = split_text(text) or [CHOOSE]
        shown = None
        for number, piece in enumerate(pieces, start=1):
            markup = self.keyboard(chat_id, buttons) if buttons and number == len(pieces) else None
            call = partial(self.application.bot.send_message, chat_id, _escaped(piece),
                           parse_mode=ParseMode.MARKDOWN_V2, reply_markup=markup)
            sent = await with_retry(call, f"sendMessage to chat {chat_id} ({len(piece)} characters)", self.send_attempts,
                                    self.send_delay)
            if markup is not None:
                shown = sent.message_id
        if shown is not None and remember:
            self._remember_keyboards(chat_id, [shown])
        return shown

    def _remember_keyboards(self, chat_id: int, message_ids: list[int]) -> None:
        self._live_keyboards.pop(chat_id, None)  # newest last, so the oldest chat goes first below
        self._live_keyboards[chat_id] = frozenset(message_ids)
        if len(self._live_keyboards) > 10_000:
            del self._live_keyboards[next(iter(self._live_keyboards))]

    def keyboard(self, chat_id: int, buttons: list[dict]) -> InlineKeyboardMarkup:
        """Rasa buttons as an inline keyboard, one button per row (long Dutch titles stay readable)."""
        return InlineKeyboardMarkup([
            [InlineKeyboardButton(button["title"], callback_data=self._callback_data(chat_id, button.get("payload") or button["title"]))]
            for button in buttons
        ])

    def _callback_data(self, chat_id: int, payload: str) -> str:
        if len(payload.encode()) <= MAX_CALLBACK_DATA and not payload.startswith(KEY_PREFIX):
            return payload
        # Too long for Telegram: a short key that stands for it (the same payload gets the same key).
        key = KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]
        self._long_payloads.setdefault(chat_id, {})[key] = payload
        return key

    # HTTP: /health, /send and, in webhook mode, Telegram's updates

    def web_app(self) -> web.Application:
        app = idempotency.once(send_app(self.deliver, self.config.bridge_token), self.config.bridge_token)  # a check-in once
        if self.config.mode == "webhook":
            app.router.add_post(WEBHOOK_PATH, self.webhook)
        return app

    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.config.webhook_secret.encode()):
            log.warning("webhook call with a wrong or missing secret token")
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except Exception:  # not JSON, or not an update: nothing Telegram would send
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response()  # answer at once; Telegram resends updates that get no 2xx

    # Running

    @contextlib.asynccontextmanager
    async def running(self):
        """Telegram connection, update handling and the HTTP server; on exit they stop in order, so nothing taken is lost."""
        app = self.application
        await with_retry(app.initialize, "connecting to Telegram (getMe)", self.send_attempts, self.send_delay)
        async with app:
            await app.start()
            try:
                self.runner = await serve(self.web_app(), self.config.host, self.config.port)  # listening before Telegram sends
                if self.config.mode == "webhook":
                    set_webhook = partial(app.bot.set_webhook, self.config.webhook_url, secret_token=self.config.webhook_secret,
                                          allowed_updates=UPDATES)
                    await with_retry(set_webhook, "setWebhook", self.send_attempts, self.send_delay)
                else:
                    # Messages sent while the bridge was down are still waiting at Telegram: keep them.
                    assert app.updater is not None  # polling mode builds the application with its updater
                    await app.updater.start_polling(timeout=self.poll_timeout,  # type: ignore[arg-type]  # seconds; PTB takes floats
                                                    allowed_updates=UPDATES, drop_pending_updates=False)
                log.info("Telegram bridge running (%s); HTTP on %s:%s", self.config.mode, self.config.host, self.config.port)
                yield self
            finally:
                if self.runner:
                    await self.runner.cleanup()
                if app.updater and app.updater.running:
                    await app.updater.stop()
                await app.stop()  # handles the updates already taken
                # Give messages on their way to Rasa a moment; while Rasa is down they are lost here (logged).
                try:
                    await asyncio.wait_for(self.forwarder.join(), self.shutdown_grace)
                except TimeoutError:
                    log.warning("stopping with messages that did not reach Rasa")
                await self.forwarder.close()


async def run(config: Config) -> None:
    stop = stop_on_signals()
    if not config.bridge_token:
        log.warning("BRIDGE_TOKEN is not set: POST /send refuses every request")
    async with TelegramBridge(config).running():
        await stop.wait()
    log.info("Telegram bridge stopped")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines show request URLs, which contain the bot token
    logging.getLogger("telegram").setLevel(logging.INFO)  # PTB's DEBUG lines show whole updates, i.e. what users wrote
    try:
        config = Config.from_env()
        asyncio.run(run(config))
    except ConfigError as error:
        sys.exit(f"Telegram bridge: {error}")
    except InvalidToken:
        sys.exit("Telegram bridge: Telegram does not accept TELEGRAM_BOT_TOKEN. Check the token from @BotFather.")
    except NetworkError as error:  # after the retries; the supervisor (Docker, systemd) starts us again
        sys.exit(f"Telegram bridge: cannot reach the Telegram Bot API at {config.api_url} ({type(error).__name__}).")
