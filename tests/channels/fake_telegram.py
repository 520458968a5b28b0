"""A fake Telegram Bot API server on 127.0.0.1 for tests with the real python-telegram-bot (PTB).

Point the bot at it with PTB's `base_url` (the bridge: `TELEGRAM_API_URL=tg.base_url`, `TELEGRAM_BOT_TOKEN=tg.token`).

    async with FakeTelegram() as tg:
        tg.base_url                     # "http://127.0.0.1:PORT/bot"; the token is appended by PTB
        tg.token                        # the only token it accepts (others get 401, PTB raises InvalidToken)
        tg.user_says(chat_id, text)     # queue a text message from a private chat; returns the update (a dict)
        tg.user_sends(chat_id, photo=[...])      # any other message fields (photo, sticker, voice, ...)
        tg.user_sends_photo(chat_id, data, caption=None)   # a photo as Telegram sends it: 2 sizes, small first
        tg.user_sends_document(chat_id, data, file_name, mime_type, caption=None)  # a file sent "as file"
        tg.add_file(data, folder) -> (file_id, file_unique_id)  # a file getFile and the file URL serve
        tg.press(chat_id, message_id, data)      # queue a button press (callback query) on a bot message
        tg.queue({"edited_message": {...}})      # queue any other update (update_id is added); returns it
        tg.sent                         # sendMessage calls in order: dicts with message_id, chat_id, text (as sent),
                                        # parse_mode, reply_markup (parsed, or None) and plain (the text the user sees)
        await tg.wait_for_messages(chat_id, count, timeout=10)  # -> every message sent to that chat so far,
                                        # once there are at least `count` (AssertionError after the timeout)
        tg.fail_next(method, times=1, how="drop")   # the next calls of a method fail: "drop" closes the connection,
                                        # "502" answers Bad Gateway; PTB raises NetworkError either way
        unescape(text)                  # MarkdownV2 text -> what the user sees (ValueError where Telegram says 400)
        buttons(message)                # [(title, callback_data), ...] of a sent message's inline keyboard

Also recorded: `tg.calls` (every call as (method, params), failed ones too), `tg.answers` (answerCallbackQuery),
`tg.edits` (editMessageText / editMessageReplyMarkup), `tg.downloads` (file ids whose file was fetched from the
file URL, in order), `tg.webhook` (the last setWebhook parameters, {} after
deleteWebhook), `tg.unknown` (methods this fake does not implement; they get 404), and `tg.message(chat_id,
message_id)`, the bot message as it is now (after edits).

Like Telegram it answers 400 to MarkdownV2 with an unescaped reserved character, to empty or too long texts
(over 4096 characters as the user sees them) and to callback_data over 64 bytes, and 409 to getUpdates while a
webhook is set. It accepts only plain text in MarkdownV2 (no bold or links): the bridge never formats.
getUpdates is real long polling: it honours `offset` (earlier updates are confirmed and dropped) and `timeout`.
PTB posts form data (values JSON-encoded) and others may post JSON; both are accepted.
Files as the Bot API serves them: `getFile {file_id}` answers a File (file_id, file_unique_id, file_size, file_path)
or 400 "Bad Request: invalid file_id" for an id it does not know and "Bad Request: file is too big" for a file
over 20 MB (bots cannot download those); the bytes are at GET /file/bot<token>/<file_path> (404 otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

from aiohttp import web

RESERVED = set("_*[]()~`>#+-=|{}.!\\")
MAX_DOWNLOAD = 20 * 1024 * 1024  # the Bot API's limit for getFile
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time"}
JSON_FIELDS = {"reply_markup", "allowed_updates", "entities", "link_preview_options", "reply_parameters"}


def unescape(text: str) -> str:
    """MarkdownV2 without formatting -> plain text; ValueError with Telegram's reason where Telegram refuses it."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 == len(text):
                raise ValueError("can't parse entities: text ends with an unescaped '\\'")
            out.append(text[i + 1])
            i += 2
            continue
        if char in RESERVED:
            raise ValueError(f"can't parse entities: Character '{char}' is reserved and must be escaped with the preceding '\\'")
        out.append(char)
        i += 1
    return "".join(out)


def buttons(message: dict) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(button["text"], button.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for button in row]


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _param(name: str, value):
    if not isinstance(value, str):
        return value
    if name in INT_FIELDS:
        try:
            return int(float(value))
        except ValueError:
            return value  # '@channelname'
    if name in JSON_FIELDS:
        return json.loads(value)
    return value


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-fake-token") -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.base_url = ""
        self.sent: list[dict] = []
        self.calls: list[tuple[str, dict]] = []
        self.answers: list[dict] = []
        self.edits: list[dict] = []
        self.webhook: dict = {}
        self.unknown: list[str] = []
        self.downloads: list[str] = []
        self._files: dict[str, tuple[str, str, bytes]] = {}  # file_id -> (file_unique_id, file_path, bytes)
        self._updates: list[dict] = []
        self._messages: dict[tuple[int, int], dict] = {}
        self._failures: dict[str, list[str]] = {}
        self._next_update_id = 1000
        self._next_message_id = 1
        self._next_query_id = 1
        self._arrived = asyncio.Event()  # a new update was queued
        self._sent_event = asyncio.Event()  # a message was sent
        self._closing = False
        self._runner: web.AppRunner | None = None

    # lifecycle

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0, shutdown_timeout=1).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/bot"
        return self

    async def __aexit__(self, *exc) -> None:
        self._closing = True
        self._arrived.set()  # release long polls, or the server would wait for them on shutdown
        await self._runner.cleanup()

    # test controls

    def user_sends(self, chat_id: int, chat_type: str = "private", **fields) -> dict:
        message = {"message_id": self._message_id(), "date": int(time.time()), "chat": self._chat(chat_id, chat_type),
                   "from": self._user(chat_id), **fields}
        return self.queue({"message": message})

    def user_says(self, chat_id: int, text: str) -> dict:
        fields: dict = {"text": text}
        if text.startswith("/"):  # Telegram marks commands; PTB's command filters rely on it
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.user_sends(chat_id, **fields)

    def add_file(self, data: bytes, folder: str = "documents", extension: str = "") -> tuple[str, str]:
        number = len(self._files) + 1
        file_id, unique = f"AgAC{number:06d}file", f"AQAD{number:06d}"
        self._files[file_id] = (unique, f"{folder}/file_{number}{extension}", data)
        return file_id, unique

    def user_sends_photo(self, chat_id: int, data: bytes, caption: str | None = None, thumbnail: bytes = b"thumb") -> dict:
        """A photo as Telegram sends it: a small size first, the largest last (here: `data`). Telegram re-encodes
        photos as JPEG; a test may pass any bytes."""
        small_id, small_unique = self.add_file(thumbnail, "photos", ".jpg")
        big_id, big_unique = self.add_file(data, "photos", ".jpg")
        photo = [{"file_id": small_id, "file_unique_id": small_unique, "file_size": len(thumbnail), "width": 90, "height": 67},
                 {"file_id": big_id, "file_unique_id": big_unique, "file_size": len(data), "width": 1280, "height": 960}]
        return self.user_sends(chat_id, photo=photo, **({"caption": caption} if caption else {}))

    def user_sends_document(self, chat_id: int, data: bytes, file_name: str | None = None,
                            mime_type: str = "application/octet-stream", caption: str | None = None,
                            file_size: int | None = None) -> dict:
        """A file sent 'as file' (no compression); file_size as Telegram states it (default: the real size)."""
        file_id, unique = self.add_file(data)
        document = {"file_id": file_id, "file_unique_id": unique, "mime_type": mime_type,
                    "file_size": len(data) if file_size is None else file_size}
        if file_name:
            document["file_name"] = file_name
        return self.user_sends(chat_id, document=document, **({"caption": caption} if caption else {}))

    def press(self, chat_id: int, message_id: int, data: str) -> dict:
        message = self._messages.get((chat_id, message_id)) or {
            "message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id), "text": ""}
        query = {"id": str(self._next_query_id), "from": self._user(chat_id), "chat_instance": str(chat_id),
                 "message": json.loads(json.dumps(message)), "data": data}
        self._next_query_id += 1
        return self.queue({"callback_query": query})

    def queue(self, update: dict) -> dict:
        update = {"update_id": self._next_update_id, **update}
        self._next_update_id += 1
        self._updates.append(update)
        self._arrived.set()
        return update

    def fail_next(self, method: str, times: int = 1, how: str = "drop") -> None:
        assert how in ("drop", "502"), how
        self._failures.setdefault(method, []).extend([how] * times)

    def message(self, chat_id: int, message_id: int) -> dict:
        return self._messages[(chat_id, message_id)]

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 10) -> list[dict]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [m for m in self.sent if m["chat_id"] == chat_id]
            remaining = deadline - asyncio.get_running_loop().time()
            if len(found) >= count:
                return found
            if remaining <= 0:
                raise AssertionError(f"chat {chat_id}: expected {count} message(s) within {timeout} s, got {len(found)}")
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), remaining)

    # helpers

    def _message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id - 1

    @staticmethod
    def _chat(chat_id: int, chat_type: str = "private") -> dict:
        return {"id": chat_id, "type": chat_type, "first_name": "Test"} if chat_type == "private" else {
            "id": chat_id, "type": chat_type, "title": "Testgroep"}

    @staticmethod
    def _user(user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}

    def _bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Meldhulp", "username": "meldhulp_test_bot",
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

    @staticmethod
    def _plain(params: dict) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if params.get("parse_mode") == "MarkdownV2":
            try:
                text = unescape(text)
            except ValueError as error:
                raise ApiError(400, f"Bad Request: {error}") from None
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    @staticmethod
    def _check_markup(markup) -> dict | None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup or None

    def _stored(self, params: dict) -> dict:
        key = (params.get("chat_id"), params.get("message_id"))
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self._messages[key]

    # the Bot API

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json() or {})
        else:
            params.update(await request.post())  # form-urlencoded or multipart
        params = {name: _param(name, value) for name, value in params.items()}
        self.calls.append((method, params))

        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        failures = self._failures.get(method)
        if failures:
            if failures.pop(0) == "drop":
                request.transport.close()  # the client sees the connection dropped without a response
                return web.Response()
            return web.Response(status=502, text="<html>502 Bad Gateway</html>", content_type="text/html")
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            self.unknown.append(method)
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        try:
            result = await handler(params)
        except ApiError as error:
            return web.json_response({"ok": False, "error_code": error.status, "description": error.description},
                                     status=error.status)
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        for file_id, (_, path, data) in self._files.items():
            if path == request.match_info["path"]:
                self.downloads.append(file_id)
                return web.Response(body=data, content_type="application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _api_getFile(self, params: dict) -> dict:
        found = self._files.get(params.get("file_id", ""))
        if found is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        unique, path, data = found
        if len(data) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": params["file_id"], "file_unique_id": unique, "file_size": len(data), "file_path": path}

    async def _api_getMe(self, _: dict) -> dict:
        return self._bot_user()

    async def _api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        return True

    async def _api_setWebhook(self, params: dict) -> bool:
        self.webhook = params
        return True

    async def _api_getWebhookInfo(self, _: dict) -> dict:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _api_getUpdates(self, params: dict) -> list[dict]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        offset, limit = params.get("offset") or 0, params.get("limit") or 100
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while not self._updates and not self._closing and loop.time() < deadline:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
        return self._updates[:limit]

    async def _api_sendMessage(self, params: dict) -> dict:
        plain = self._plain(params)
        markup = self._check_markup(params.get("reply_markup"))
        chat_id = params["chat_id"]
        message = {"message_id": self._message_id(), "date": int(time.time()), "chat": self._chat(chat_id),
                   "from": self._bot_user(), "text": plain, **({"reply_markup": markup} if markup else {})}
        self._messages[(chat_id, message["message_id"])] = message
        self.sent.append({"message_id": message["message_id"], "chat_id": chat_id, "text": params["text"],
                          "parse_mode": params.get("parse_mode"), "reply_markup": markup, "plain": plain})
        self._sent_event.set()
        return message

    async def _api_answerCallbackQuery(self, params: dict) -> bool:
        self.answers.append(params)
        return True

    async def _api_editMessageText(self, params: dict) -> dict:
        message = self._stored(params)
        message["text"] = self._plain(params)
        self._set_markup(message, self._check_markup(params.get("reply_markup")))
        self.edits.append({"method": "editMessageText", **params})
        return message

    async def _api_editMessageReplyMarkup(self, params: dict) -> dict:
        message = self._stored(params)
        self._set_markup(message, self._check_markup(params.get("reply_markup")))
        self.edits.append({"method": "editMessageReplyMarkup", **params})
        return message

    @staticmethod
    def _set_markup(message: dict, markup: dict | None) -> None:
        # Like Telegram: an edit without reply_markup removes the keyboard.
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
