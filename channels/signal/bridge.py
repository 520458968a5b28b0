"""Signal bridge: bbernhard/signal-cli-rest-api in json-rpc mode <-> Rasa's REST channel.

- Receives over the API's websocket `GET /v1/receive/{number}`. Only one-to-one text messages go on, through
  `channels.bridge.RasaForwarder` (conversation id `signal:<number>`, or `signal:<uuid>` when the sender hides
  their number). Receipts, typing indicators and sync messages (what a linked phone sent) are ignored.
- Group messages get no answer at all: a conversation about an incident, and any report, belongs in a private
  chat, and a bot that speaks in a group tells the others there that someone uses it.
- Sends with `POST /v2/send`, retried with backoff on network errors and 5xx answers, a bounded number of times.
- Rasa's buttons become numbered options. The next message, if it is just one of those numbers ("2", " 2 ",
  "2."), sends that option's payload to Rasa; a number that is not an option gets a short hint; anything else
  goes to Rasa as typed.
- The websocket reconnects with exponential backoff. The first reconnect after a healthy connection is
  immediate: in json-rpc mode signal-cli-rest-api drops messages that arrive while no websocket is connected
  (bbernhard/signal-cli-rest-api#834), so the gap must stay short.
- `GET /health` and `POST /send` (the griffie page answers a user) come from `channels.bridge.send_app`.
- Attachments (issue 14) are evidence: each is fetched with `GET /v1/attachments/{id}`, deleted from signal-cli's
  storage right after (`DELETE`), checked and kept with the report by channels.evidence, and answered here; a text
  with them goes on to Rasa. Links in a text are kept as evidence too. Stickers get a short note.

Privacy: nothing here logs what users or the bot say, nor phone numbers or uuids.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import aiohttp.web

from channels import evidence, idempotency
from channels.bridge import RasaForwarder, send_app, serve
from channels.rasa_client import RasaClient, sender_id
from channels.retry import backoff, retry
from core.config import Settings, SettingsError, get_settings

log = logging.getLogger(__name__)

CHANNEL = "signal"
CHOOSE = "Antwoord met het nummer."
NOT_AN_OPTION = "Dat nummer staat er niet bij. Antwoord met {numbers}."
TEXT_ONLY = "Stickers kan ik niet lezen. Foto's, screenshots en PDF-bestanden wel. Wilt u het typen?"

_NUMBER_ANSWER = re.compile(r"\s*(\d{1,3})\s*[.)]?\s*")
_PHONE_NUMBER = re.compile(r"\+\d{7,15}")
_SEND_TIMEOUT = aiohttp.ClientTimeout(total=60)  # signal-cli can take a few seconds to send


ConfigError = SettingsError  # the environment does not describe a bridge that can run; the text says what to set


class SignalSendError(Exception):
    """signal-cli-rest-api did not accept a message. The text never contains the message or the recipient."""


class _ServerError(Exception):
    """A 5xx answer to a send: worth another attempt."""


@dataclass(frozen=True)
class Config:
    api_url: str  # SIGNAL_API_URL
    number: str  # SIGNAL_NUMBER, the bot's registered number
    rasa_url: str = "http://localhost:5005"  # RASA_URL
    token: str = ""  # BRIDGE_TOKEN for POST /send; empty refuses every /send
    host: str = "0.0.0.0"  # BRIDGE_HOST
    port: int = 8082  # BRIDGE_PORT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """From the settings (core.config), or from `env` when given (tests)."""
        return cls.from_settings(get_settings() if env is None else Settings.from_env(env))

    @classmethod
    def from_settings(cls, settings: Settings) -> Config:
        number = settings.signal_number
        if not number:
            raise ConfigError("SIGNAL_NUMBER is not set: give the bot's Signal number as registered in "
                              "signal-cli-rest-api, e.g. SIGNAL_NUMBER=+31612345678")
        if not _PHONE_NUMBER.fullmatch(number):
            raise ConfigError("SIGNAL_NUMBER must be the full international number with +, e.g. +31612345678")
        return cls(
            api_url=settings.signal_api_url.rstrip("/"),
            number=number,
            rasa_url=settings.rasa_url.rstrip("/"),
            token=settings.bridge_token,
            host=settings.bridge_host,
            port=cls.port if settings.bridge_port is None else settings.bridge_port,
        )


@dataclass(frozen=True)
class Attachment:
    id: str  # signal-cli's name for the stored file: GET /v1/attachments/{id}
    size: int | None  # as signal-cli states it
    filename: str | None  # the name the sender's phone gave it, if any


@dataclass(frozen=True)
class Incoming:
    address: str  # the sender's number, or their uuid when the number is hidden
    text: str  # "" for a message with only an attachment, sticker or the like
    attachments: tuple[Attachment, ...] = ()


def _attachments(data: dict) -> tuple[Attachment, ...]:
    found = []
    for item in data.get("attachments") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            size = item.get("size")
            name = item.get("filename")
            found.append(Attachment(item["id"], size if isinstance(size, int) else None, name if isinstance(name, str) else None))
    return tuple(found)


def parse_frame(payload: object, own_number: str) -> Incoming | None:
    """The one-to-one message in a decoded websocket frame; None for everything the bridge ignores."""
    envelope = payload.get("envelope") if isinstance(payload, dict) else None
    if not isinstance(envelope, dict):
        return None
    data = envelope.get("dataMessage")  # receipts, typing and sync messages have none
    if not isinstance(data, dict) or data.get("groupInfo"):
        return None
    address = envelope.get("sourceNumber") or envelope.get("sourceUuid") or envelope.get("source")
    if not isinstance(address, str) or not address or address == own_number:
        return None
    text = data.get("message")
    text = text if isinstance(text, str) and text.strip() else ""
    attachments = _attachments(data)
    if text or attachments or data.get("sticker"):
        return Incoming(address, text, attachments)
    return None  # reactions, deletions, expiry timer changes: nothing to answer


def with_options(text: str, buttons: list[dict]) -> str:
    """The text with the buttons as a numbered list under it, and how to choose."""
    if not buttons:
        return text
    options = "\n".join(f"{n}. {button.get('title') or button.get('payload', '')}" for n, button in enumerate(buttons, 1))
    return "\n\n".join(part for part in (text.strip(), options, CHOOSE) if part)


def numbers_text(count: int) -> str:
    """'1', '1 of 2', '1, 2 of 3'."""
    return "1" if count == 1 else ", ".join(str(n) for n in range(1, count)) + f" of {count}"


class SignalBridge:
    def __init__(self, config: Config, *, rasa: RasaClient | None = None, first_delay: float = 1.0,
                 max_delay: float = 60.0, healthy_after: float = 30.0, send_attempts: int = 5,
                 heartbeat: float = 30.0) -> None:
        self.config = config
        self.first_delay, self.max_delay, self.healthy_after = first_delay, max_delay, healthy_after
        self.send_attempts, self.heartbeat = send_attempts, heartbeat
        rasa = rasa or RasaClient(url=config.rasa_url, bridge_token=config.token)
        self.forwarder = RasaForwarder(rasa, CHANNEL, self._reply, notice=self.send_text,
                                       first_delay=first_delay, max_delay=max_delay)
        self.options: dict[str, list[dict]] = {}  # address -> the buttons of the last message that user got
        self._http: aiohttp.ClientSession | None = None
        self._runner: aiohttp.web.AppRunner | None = None
        self._receiver: asyncio.Task | None = None
        self._notes: set[asyncio.Task] = set()
        self._mode_checked = False

    @property
    def receive_url(self) -> str:
        return f"{self.config.api_url}/v1/receive/{quote(self.config.number, safe='')}"

    @property
    def port(self) -> int:
        """The port of the /send API (useful when the config asked for port 0)."""
        assert self._runner is not None, "start() first"
        return self._runner.addresses[0][1]

    async def start(self) -> None:
        if not self.config.token:
            log.warning("BRIDGE_TOKEN is not set: POST /send refuses every request")
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))  # bounds the websocket handshake only
        app = idempotency.once(send_app(self.deliver, self.config.token), self.config.token)  # a check-in sent once
        self._runner = await serve(app, self.config.host, self.config.port)
        self._receiver = asyncio.create_task(self._receive_forever())

    async def stop(self, grace: float = 5.0) -> None:
        """Stop receiving, give messages already received `grace` seconds to get through Rasa, then close."""
        if self._runner:
            await self._runner.cleanup()
        if self._receiver:
            self._receiver.cancel()
            await asyncio.gather(self._receiver, return_exceptions=True)
        try:
            await asyncio.wait_for(self.forwarder.join(), grace)
        except TimeoutError:
            log.warning("stopping with user messages that Rasa has not handled yet")
        await self.forwarder.close()
        for task in self._notes:
            task.cancel()
        await asyncio.gather(*self._notes, return_exceptions=True)
        if self._http:
            await self._http.close()

    # --- receiving -------------------------------------------------------------------------------------------

    def _delay(self, failures: int) -> float:
        """0 for the first attempt after a healthy connection, then first_delay doubling up to max_delay."""
        return 0.0 if failures == 0 else backoff(failures, self.first_delay, self.max_delay)

    async def _receive_forever(self) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            connected_at = None
            try:
                await self._check_mode()
                assert self._http is not None, "start() first"
                async with self._http.ws_connect(self.receive_url, heartbeat=self.heartbeat) as ws:
                    connected_at = loop.time()
                    log.info("connected to the signal-cli-rest-api websocket")
                    async for frame in ws:
                        if frame.type is aiohttp.WSMsgType.TEXT:
                            await self._on_frame(frame.data)
                        elif frame.type is aiohttp.WSMsgType.ERROR:
                            break
                log.warning("the signal-cli-rest-api websocket closed")
            except (aiohttp.ClientError, OSError, TimeoutError) as error:
                log.warning("no websocket to signal-cli-rest-api (%s)", type(error).__name__)
            if connected_at is not None and loop.time() - connected_at >= self.healthy_after:
                failures = 0
            delay = self._delay(failures)
            failures += 1
            log.info("reconnecting to signal-cli-rest-api in %.1f s", delay)
            await asyncio.sleep(delay)

    async def _check_mode(self) -> None:
        """Say clearly, once, when the API is not in json-rpc mode: then /v1/receive is no websocket."""
        if self._mode_checked:
            return
        assert self._http is not None, "start() first"
        async with self._http.get(f"{self.config.api_url}/v1/about", timeout=aiohttp.ClientTimeout(total=10)) as response:
            try:
                mode = (await response.json(content_type=None)).get("mode")
            except (ValueError, AttributeError):
                mode = None
        self._mode_checked = True
        if mode != "json-rpc":
            log.error("signal-cli-rest-api runs in mode %r; this bridge needs MODE=json-rpc to receive messages", mode)

    async def _on_frame(self, frame: str) -> None:
        try:
            payload = json.loads(frame)
            if isinstance(payload, dict) and "error" in payload:  # how the API reports receive errors
                log.warning("signal-cli-rest-api reported an error on the websocket")
                return
            incoming = parse_frame(payload, self.config.number)
            if incoming:
                await self._on_message(incoming)
        except Exception as error:  # one odd frame must not stop the receive loop
            log.error("could not handle a Signal frame (%s)", type(error).__name__)

    async def _on_message(self, incoming: Incoming) -> None:
        address, text = incoming.address, incoming.text
        if incoming.attachments or (text and evidence.find_links(text)):
            self._later(self._keep_evidence(address, incoming.attachments, text))
        if not text:
            if not incoming.attachments:
                self._note(address, TEXT_ONLY)
            return
        options = self.options.get(address)
        answer = _NUMBER_ANSWER.fullmatch(text)
        if options and answer:
            number = int(answer[1])
            if 1 <= number <= len(options):
                del self.options[address]
                choice = options[number - 1]
                await self.forwarder.submit(address, choice.get("payload") or choice.get("title", ""))
            else:
                self._note(address, NOT_AN_OPTION.format(numbers=numbers_text(len(options))))
            return
        self.options.pop(address, None)
        await self.forwarder.submit(address, text)

    def _note(self, address: str, text: str) -> None:
        """Send a short note without holding up the receive loop (a send can take seconds)."""
        self._later(self._send_logged(address, text))

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._notes.add(task)
        task.add_done_callback(self._notes.discard)

    # --- evidence --------------------------------------------------------------------------------------------

    def _sender(self, address: str) -> evidence.Sender:
        return evidence.Sender(CHANNEL, sender_id(CHANNEL, address))

    async def _keep_evidence(self, address: str, attachments: tuple[Attachment, ...], text: str | None) -> None:
        """A message's attachments, then its links, one after another (not side by side), so the conversation's
        limits (EVIDENCE_MAX_ITEMS, EVIDENCE_MAX_CONVERSATION_BYTES) are checked against what came before."""
        for attachment in attachments:
            await self._receive_file(address, attachment)
        if text and evidence.find_links(text):
            await self._keep_links(address, text)

    async def _keep_links(self, address: str, text: str) -> None:
        result = await asyncio.to_thread(evidence.receive_links, self._sender(address), text)
        if result is not None:
            await self._send_logged(address, result[1])

    async def _receive_file(self, address: str, attachment: Attachment) -> None:
        """Fetch one attachment, delete it from signal-cli, keep it as evidence, tell the user."""
        try:
            if attachment.size and attachment.size > evidence.max_bytes():
                answer = evidence.too_large().text
            else:
                data = await self._download(attachment.id)
                answer = evidence.too_large().text if data is None else (
                    await asyncio.to_thread(evidence.receive_file, self._sender(address), data, attachment.filename))[1]
        except (aiohttp.ClientError, TimeoutError, SignalSendError) as error:
            log.warning("a Signal attachment was not fetched (%s)", type(error).__name__)
            answer = evidence.NOT_DOWNLOADED
        except Exception as error:  # anything else (the store, the key, a bug): the user still hears, calmly
            log.error("a Signal attachment was not kept (%s)", type(error).__name__)
            answer = evidence.NOT_STORED
        finally:
            await self._delete_attachment(attachment.id)
        await self._send_logged(address, answer)

    def _attachment_url(self, attachment_id: str) -> str:
        return f"{self.config.api_url}/v1/attachments/{quote(attachment_id, safe='')}"

    async def _download(self, attachment_id: str) -> bytes | None:
        """The attachment's bytes; None when it is larger than the limit (not read further)."""
        assert self._http is not None, "start() first"
        limit = evidence.max_bytes()
        async with self._http.get(self._attachment_url(attachment_id), timeout=_SEND_TIMEOUT) as response:
            if response.status >= 300:
                raise SignalSendError(f"signal-cli-rest-api answered {response.status}")
            data = bytearray()
            async for chunk in response.content.iter_chunked(65536):
                data += chunk
                if len(data) > limit:
                    return None
            return bytes(data)

    async def _delete_attachment(self, attachment_id: str) -> None:
        """signal-cli keeps received files on disk; the evidence now lives (encrypted) in our database only."""
        if self._http is None:
            return
        try:
            async with self._http.delete(self._attachment_url(attachment_id), timeout=_SEND_TIMEOUT) as response:
                if response.status >= 300:
                    log.warning("signal-cli-rest-api did not delete an attachment (%d)", response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("signal-cli-rest-api did not delete an attachment (%s)", type(error).__name__)

    # --- sending ---------------------------------------------------------------------------------------------

    async def _reply(self, address: str, messages: list[dict]) -> None:
        """Rasa's answer to one user message. The numbered options are those of its last message with buttons."""
        with_buttons = [message["buttons"] for message in messages if message.get("buttons")]
        if with_buttons:
            self.options[address] = with_buttons[-1]
        else:
            self.options.pop(address, None)
        for message in messages:
            text = with_options(message.get("text") or "", message.get("buttons") or [])
            if text.strip():
                await self._send_logged(address, text)

    async def deliver(self, address: str, text: str, buttons: list[dict]) -> None:
        """POST /send from the griffie page; raises when the message could not be sent (send_app answers 502)."""
        if buttons:
            self.options[address] = buttons
        else:
            self.options.pop(address, None)  # a digit now answers the griffier, not an older question
        await self.send_text(address, with_options(text, buttons))

    async def _send_logged(self, address: str, text: str) -> None:
        try:
            await self.send_text(address, text)
        except SignalSendError as error:
            log.error("a message to a Signal user was not delivered: %s", error)

    async def send_text(self, address: str, text: str) -> None:
        body = {"message": text, "number": self.config.number, "recipients": [address]}
        http = self._http
        assert http is not None, "start() first"

        async def send_once() -> None:
            async with http.post(f"{self.config.api_url}/v2/send", json=body, timeout=_SEND_TIMEOUT) as response:
                if response.status < 300:
                    return
                if response.status < 500:  # a refused request does not get better by sending it again
                    raise SignalSendError(f"signal-cli-rest-api answered {response.status}")
                raise _ServerError(f"HTTP {response.status}")

        def delay(attempt: int, error: Exception) -> float | None:
            if not isinstance(error, _ServerError | aiohttp.ClientError | TimeoutError):
                return None
            reason = str(error) if isinstance(error, _ServerError) else type(error).__name__
            log.warning("sending to Signal failed (%s), attempt %d of %d", reason, attempt, self.send_attempts)
            return self._delay(attempt)

        try:
            await retry(send_once, attempts=self.send_attempts, delay=delay)
        except (_ServerError, aiohttp.ClientError, TimeoutError):
            raise SignalSendError(f"gave up after {self.send_attempts} attempts") from None
