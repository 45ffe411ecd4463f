"""An offline model of the Telegram Bot API that refuses what Telegram refuses.

One :class:`FakeTelegram` holds the world: the bot, simulated users in private chats, every
message, uploaded files and the queue of updates. The bot side talks to it through
:meth:`FakeTelegram.handle` (wrapped by ``FakeTelegramRequest`` in-process and by ``server.serve``
over HTTP); tests play the users with the synchronous helpers (``send_text``, ``press_button``,
``send_document``, ``block``) and inspect the chat with ``messages`` and friends.

The fake lives on one asyncio loop and is not thread-safe. User-side helpers only enqueue updates
and wake a waiting ``getUpdates``; no loop-bound object is created before the first long poll, so
a fake built outside any loop works.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from bot.faketelegram.errors import FakeApiError, FakeUsageError
from bot.faketelegram.html import HTMLParseError, check_link, parse_html, sort_entities

if TYPE_CHECKING:
    from bot.faketelegram.request import FakeTelegramRequest

__all__ = ["FakeMessage", "FakeTelegram", "FloodLimits", "Upload", "utf16_len"]

JSON = dict[str, Any]
Listener = Callable[["FakeMessage", str], None]
_Method = Callable[[JSON, dict[str, "Upload"]], Awaitable[Any]]

_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_API_PATH_RE = re.compile(r".*/bot([^/]*)/([^/]*)")
_FILE_PATH_RE = re.compile(r".*/file/bot([^/]*)/(.+)")
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_WHITESPACE = " \t\n\r\v\f"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_INT_FIELDS = _words(
    """
    message_id offset limit timeout cache_time reply_to_message_id message_thread_id
    from_chat_id user_id max_connections
    """
)
_BOOL_FIELDS = _words(
    """
    show_alert disable_notification protect_content drop_pending_updates
    disable_web_page_preview allow_sending_without_reply disable_content_type_detection
    has_spoiler show_caption_above_media allow_paid_broadcast
    """
)
_JSON_FIELDS = _words(
    """
    reply_markup entities caption_entities allowed_updates commands scope
    link_preview_options reply_parameters menu_button
    """
)
_ENTITY_TYPES = _words(
    """
    mention hashtag cashtag bot_command url email phone_number bold italic underline
    strikethrough spoiler blockquote expandable_blockquote code pre text_link text_mention
    custom_emoji
    """
)
_CHAT_ACTIONS = _words(
    """
    typing upload_photo record_video upload_video record_voice upload_voice upload_document
    choose_sticker find_location record_video_note upload_video_note
    """
)
_DEFAULT_ALLOWED_UPDATES = _words(
    """
    message edited_message channel_post edited_channel_post business_connection
    business_message edited_business_message deleted_business_messages inline_query
    chosen_inline_result callback_query shipping_query pre_checkout_query
    purchased_paid_media poll poll_answer my_chat_member chat_join_request chat_boost
    removed_chat_boost
    """
)
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# Auto-detected entities, as Telegram adds them to every text message.
_AUTO_PATTERNS = (
    ("url", re.compile(r"(?<![\w@/.])https?://[^\s<>\"']+", re.IGNORECASE)),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _detect_entities(text: str, existing: list[JSON]) -> list[JSON]:
    """Entities Telegram finds by itself (links, commands, mentions, hashtags)."""
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in existing
        if e["type"] in ("code", "pre", "text_link", "url", "bot_command", "mention", "hashtag")
    ]
    found: list[JSON] = []
    taken: list[tuple[int, int]] = []
    for etype, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            value = match.group(0)
            if etype == "url":
                value = value.rstrip(".,;:!?)")
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(value)
            span = (start, end)
            if any(s < end and start < e for s, e in blocked + taken):
                continue
            taken.append(span)
            found.append({"type": etype, "offset": start, "length": end - start})
    return found


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Telegram strips leading and trailing whitespace from texts and captions."""
    left = len(text) - len(text.lstrip(_WHITESPACE))
    stripped = text.strip(_WHITESPACE)
    if not stripped:
        return "", []
    end = left + utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"], left)
        stop = min(entity["offset"] + entity["length"], end)
        if stop > start:
            kept.append({**entity, "offset": start - left, "length": stop - start})
    return stripped, kept


def _image_size(data: bytes) -> tuple[str, int, int] | None:
    """(extension, width, height) of a PNG or JPEG, or None if it is neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return "jpg", width, height
        i += 2 + length
    return None


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood control: a global per-second cap and a per-chat token bucket.

    Edits count as sends: Telegram's limits for editing and sending a chat's messages are shared
    (TDLib's maintainer, tdlib/td#2592 and #3034), so an edit takes from the same per-chat bucket,
    the same group minute and the same overall second. Answering a callback query has no limit
    (tdlib/telegram-bot-api#648), and none is known for ``getFile``: neither is counted.
    """

    global_per_second: int = 30
    per_chat_burst: int = 20
    per_chat_per_second: float = 1.0
    per_group_per_minute: int = 20  # groups: at most 20 messages a minute
    enabled: bool = True


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded (multipart) or a simulated user sent."""

    filename: str
    content: bytes = field(repr=False)
    mime_type: str | None = None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    content: bytes
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    def file_json(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass(eq=False)
class FakeMessage:
    """One message as it exists in a chat, with what the user would see."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    sender: JSON = field(repr=False)
    chat: JSON = field(repr=False)
    text: str | None = None
    html: str | None = None
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    reply_to: FakeMessage | None = field(default=None, repr=False)
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    history: list[JSON] = field(default_factory=list, repr=False)
    photo_file: _StoredFile | None = field(default=None, repr=False)
    document_file: _StoredFile | None = field(default=None, repr=False)

    @property
    def edited(self) -> bool:
        return self.edit_count > 0

    @property
    def photo(self) -> bytes | None:
        return self.photo_file.content if self.photo_file else None

    @property
    def document(self) -> tuple[str, bytes] | None:
        if self.document_file is None:
            return None
        return self.document_file.filename or "", self.document_file.content

    @property
    def inline_keyboard(self) -> JSON | None:
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline buttons as rows of (text, callback_data or url)."""
        markup = self.inline_keyboard
        if markup is None:
            return []
        return [[(b["text"], b.get("callback_data") or b.get("url")) for b in row] for row in markup["inline_keyboard"]]

    @property
    def keyboard(self) -> list[list[str]]:
        """Reply-keyboard button labels, if this message set a reply keyboard."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return []
        return [[b["text"] for b in row] for row in self.reply_markup["keyboard"]]

    @property
    def reply_to_message_id(self) -> int | None:
        return self.reply_to.message_id if self.reply_to else None

    def render(self) -> str:
        """The message as a terminal would show it: text, attachment and buttons."""
        who = "bot" if self.from_bot else "user"
        lines = [f"[{self.message_id}] {who}{' (edited)' if self.edited else ''}:"]
        if self.photo_file:
            lines.append(f"  <photo {self.photo_file.width}x{self.photo_file.height}>")
        if self.document_file:
            lines.append(f"  <document {self.document_file.filename}>")
        body = self.text if self.text is not None else self.caption
        lines.extend("  " + line for line in (body or "").splitlines())
        lines.extend("  " + "  ".join(f"[{text}]" for text, _ in row) for row in self.buttons)
        lines.extend("  " + "  ".join(f"({t})" for t in row) for row in self.keyboard)
        return "\n".join(lines)

    def to_dict(self, *, with_reply: bool = True) -> JSON:
        """The Bot API ``Message`` object for this message."""
        data: JSON = {
            "message_id": self.message_id,
            "from": dict(self.sender),
            "chat": dict(self.chat),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None:
            data["reply_to_message"] = self.reply_to.to_dict(with_reply=False)
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = copy.deepcopy(self.entities)
        if self.photo_file is not None:
            f = self.photo_file
            data["photo"] = [
                {
                    "file_id": f.file_id,
                    "file_unique_id": f.file_unique_id,
                    "file_size": len(f.content),
                    "width": f.width,
                    "height": f.height,
                }
            ]
        if self.document_file is not None:
            f = self.document_file
            doc: JSON = {
                "file_id": f.file_id,
                "file_unique_id": f.file_unique_id,
                "file_size": len(f.content),
            }
            if f.filename:
                doc["file_name"] = f.filename
            if f.mime_type:
                doc["mime_type"] = f.mime_type
            data["document"] = doc
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = copy.deepcopy(self.caption_entities)
        if self.inline_keyboard is not None:
            # Telegram echoes only inline keyboards; reply keyboards are not part of a Message.
            data["reply_markup"] = copy.deepcopy(self.inline_keyboard)
        return data


@dataclass
class _Query:
    chat_id: int
    message_id: int
    created: float
    answered: bool = False


def _bad(description: str) -> FakeApiError:
    return FakeApiError(400, "Bad Request: " + description)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


class FakeTelegram:
    """The Bot API and its users, in memory. See the module docstring."""

    MAX_TEXT_UTF16 = 4096
    MAX_CAPTION_UTF16 = 1024
    MAX_CALLBACK_DATA_BYTES = 64
    MAX_CALLBACK_ANSWER_CHARS = 200
    MAX_INLINE_BUTTONS = 100
    MAX_PHOTO_BYTES = 10 * 1024 * 1024
    MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
    CALLBACK_QUERY_TTL = 15.0
    """Seconds (on ``clock``) after which an unanswered callback query can no longer be answered."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "funnelbot_test",
        flood: FloodLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        wall_clock: Callable[[], float] = time.time,
        bot_first_name: str = "Funnelbot",
    ) -> None:
        if not _TOKEN_RE.fullmatch(token):
            raise ValueError(f"not a bot token: {token!r} (expected '<digits>:<secret>')")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.flood = flood if flood is not None else FloodLimits()
        self.clock = clock
        self.wall_clock = wall_clock

        self.calls: list[tuple[str, JSON]] = []
        self.errors: list[tuple[str, str]] = []
        self.callback_answers: list[JSON] = []
        self.chat_actions: list[tuple[int, str]] = []

        self._users: dict[int, JSON] = {}
        self._groups: dict[int, JSON] = {}  # group chat id (negative) -> {"title", "bot_in"}
        self._group_sends: dict[int, deque[float]] = {}
        self._blocked: set[int] = set()
        self._chats: dict[int, list[FakeMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_counter = 0
        self._queries: dict[str, _Query] = {}
        self._query_counter = 4_000_000_000_000_000
        self._pending: list[JSON] = []
        self._next_update_id = 100_000_001
        self._allowed_updates = set(_DEFAULT_ALLOWED_UPDATES)
        self._waiters: list[asyncio.Future[str]] = []
        self._poll_generation = 0
        self._webhook_url = ""
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._global_sends: deque[float] = deque()
        self._chat_buckets: dict[int, tuple[float, float]] = {}
        self._listeners: list[Listener] = []

        self._methods: dict[str, _Method] = {
            "getme": self._get_me,
            "logout": self._unsupported,
            "close": self._unsupported,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setmydescription": self._set_bot_text("description"),
            "getmydescription": self._get_bot_text("description"),
            "setmyshortdescription": self._set_bot_text("short_description"),
            "getmyshortdescription": self._get_bot_text("short_description"),
            "setmyname": self._set_bot_text("name"),
            "getmyname": self._get_bot_text("name"),
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "getfile": self._get_file,
            "sendchataction": self._send_chat_action,
        }

    # ------------------------------------------------------------------ wiring

    def request(self, read_timeout: float = 5.0) -> FakeTelegramRequest:
        """A PTB ``BaseRequest`` that talks to this fake in-process."""
        from bot.faketelegram.request import FakeTelegramRequest

        return FakeTelegramRequest(self, read_timeout=read_timeout)

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(message, event)`` whenever the bot sends, edits or deletes."""
        self._listeners.append(listener)

    def release_pollers(self) -> None:
        """Make every waiting ``getUpdates`` return at once (used when a server shuts down)."""
        self._wake("release")

    @property
    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ bot side

    async def handle(
        self,
        method: str,
        params: JSON | None = None,
        files: dict[str, Upload] | None = None,
    ) -> tuple[int, JSON]:
        """Run one Bot API call; returns (HTTP status, response body)."""
        params = self._normalize(params or {})
        files = dict(files or {})
        recorded = dict(params)
        for name, upload in files.items():
            recorded.setdefault(name, upload)
        self.calls.append((method, recorded))
        impl = self._methods.get(method.lower())
        if impl is None:
            return self._failure(method, FakeApiError(404, "Not Found"))
        try:
            result = await impl(params, files)
        except FakeApiError as exc:
            return self._failure(method, exc)
        return 200, {"ok": True, "result": result}

    async def call(self, method: str, **params: Any) -> Any:
        """Call the API as the bot would; returns ``result`` or raises :class:`FakeApiError`.

        ``Upload`` values are sent as multipart files.
        """
        files = {k: v for k, v in params.items() if isinstance(v, Upload)}
        rest = {k: v for k, v in params.items() if not isinstance(v, Upload)}
        status, body = await self.handle(method, rest, files)
        if not body["ok"]:
            raise FakeApiError(status, body["description"], body.get("parameters"))
        return body["result"]

    async def handle_path(
        self, path: str, params: JSON | None = None, files: dict[str, Upload] | None = None
    ) -> tuple[int, bytes, str]:
        """Route an HTTP path: ``.../bot<token>/<method>`` or ``/file/bot<token>/<file_path>``.

        Returns (status, body, content type); ``path`` is already percent-decoded.
        """
        file_match = _FILE_PATH_RE.fullmatch(path)
        if file_match is not None:
            token, file_path = file_match.groups()
            if token != self.token:
                return self._json_failure("download", self._token_error(token))
            content = self.download(file_path)
            if content is None:
                return self._json_failure("download", FakeApiError(404, "Not Found"))
            return 200, content, "application/octet-stream"
        match = _API_PATH_RE.fullmatch(path)
        if match is None or not match.group(2):
            return self._json_failure(path, FakeApiError(404, "Not Found"))
        token, method = match.groups()
        if token != self.token:
            return self._json_failure(method, self._token_error(token))
        status, body = await self.handle(method, params, files)
        return status, json.dumps(body).encode(), "application/json"

    def download(self, file_path: str) -> bytes | None:
        """The bytes behind a ``file_path`` from getFile, or None."""
        stored = self._file_paths.get(file_path)
        return stored.content if stored else None

    def _token_error(self, token: str) -> FakeApiError:
        if _TOKEN_RE.fullmatch(token):
            return FakeApiError(401, "Unauthorized")
        return FakeApiError(404, "Not Found")

    def _json_failure(self, method: str, exc: FakeApiError) -> tuple[int, bytes, str]:
        status, body = self._failure(method, exc)
        return status, json.dumps(body).encode(), "application/json"

    def _failure(self, method: str, exc: FakeApiError) -> tuple[int, JSON]:
        self.errors.append((method, exc.description))
        return exc.error_code, exc.to_body()

    @staticmethod
    def _normalize(params: JSON) -> JSON:
        """Accept form-encoded strings and JSON values alike, as Telegram does."""
        out: JSON = {}
        for key, value in params.items():
            if value is None:
                continue
            if isinstance(value, str):
                if key in _JSON_FIELDS:
                    with contextlib.suppress(ValueError):  # left as is; the method reports it
                        value = json.loads(value)
                elif key in _INT_FIELDS or key == "chat_id":
                    with contextlib.suppress(ValueError):
                        value = int(value)
                elif key in _BOOL_FIELDS:
                    value = {"true": True, "1": True, "false": False, "0": False}.get(value.lower(), value)
            out[key] = value
        return out

    # ---------------------------------------------------------- param helpers

    @staticmethod
    def _opt_int(params: JSON, name: str) -> int | None:
        value = params.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(f'field "{name}" must be of type Integer')
        return value

    @staticmethod
    def _opt_str(params: JSON, name: str) -> str | None:
        value = params.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _bad(f'field "{name}" must be of type String')
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad("strings must be encoded in UTF-8") from None
        return value

    def _chat(self, params: JSON, *, sending: bool = True) -> int:
        """Resolve ``chat_id`` to a private chat the user has started."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat_id: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            chat_id = raw
        elif isinstance(raw, str) and raw.startswith("@"):
            chat_id = next((uid for uid, u in self._users.items() if u.get("username") == raw[1:]), None)
        if chat_id is not None and chat_id in self._groups:
            moved = self._groups[chat_id].get("migrated_to")
            if moved is not None:
                raise FakeApiError(
                    400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": moved}
                )
            if sending and not self._groups[chat_id]["bot_in"]:
                raise FakeApiError(403, "Forbidden: bot was kicked from the group chat")
            return chat_id
        if chat_id is None or chat_id not in self._users:
            raise _bad("chat not found")
        if sending and chat_id in self._blocked:
            raise FakeApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _message_id(self, params: JSON) -> int:
        value = params.get("message_id")
        if value is None or value == "":
            raise _bad("message identifier is not specified")
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad("invalid message_id specified")
        return value

    def _find(self, chat_id: int, message_id: int) -> FakeMessage | None:
        for message in self._chats.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def _no_inline_message(self, params: JSON) -> None:
        if params.get("inline_message_id"):
            raise _bad("faketelegram does not model inline messages (inline_message_id)")

    def _formatted(self, params: JSON, text_field: str, entities_field: str) -> tuple[str, list[JSON]] | None:
        """Parse a text or caption; None if the field is absent."""
        raw = self._opt_str(params, text_field)
        if raw is None:
            return None
        parse_mode = self._opt_str(params, "parse_mode") or ""
        mode = parse_mode.lower()
        if mode and mode != "none":
            if mode != "html":
                if mode in ("markdown", "markdownv2"):
                    raise _bad(f"faketelegram supports only parse_mode HTML, got {parse_mode!r}")
                raise _bad("unsupported parse_mode")
            try:
                text, entities = parse_html(raw)
            except HTMLParseError as exc:
                raise FakeApiError(400, exc.description) from None
        else:
            text, entities = raw, self._explicit_entities(raw, params.get(entities_field))
        return text, entities

    def _finish_text(
        self, text: str, entities: list[JSON], limit: int, too_long: str, empty: str | None
    ) -> tuple[str, list[JSON]]:
        text, entities = _trim(text, entities)
        if not text and empty is not None:
            raise _bad(empty)
        if utf16_len(text) > limit:
            raise _bad(too_long)
        entities = sort_entities(entities + _detect_entities(text, entities))
        return text, entities

    @staticmethod
    def _explicit_entities(text: str, raw: object) -> list[JSON]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise _bad("can't parse entities JSON object")
        total = utf16_len(text)
        result: list[JSON] = []
        for item in raw:
            if not isinstance(item, dict):
                raise _bad("can't parse MessageEntity: expected an Object")
            etype = item.get("type")
            if etype not in _ENTITY_TYPES:
                raise _bad("can't parse MessageEntity: Unsupported type specified")
            offset, length = item.get("offset"), item.get("length")
            if not isinstance(offset, int) or not isinstance(length, int):
                raise _bad('can\'t parse MessageEntity: Field "offset" must be of type Number')
            if offset < 0:
                raise _bad(f"receive an entity with incorrect offset {offset}")
            if length < 0:
                raise _bad(f"receive an entity with incorrect length {length}")
            if offset > total:
                raise _bad(f"entity begins after the end of the text at UTF-16 offset {offset}")
            if offset + length > total:
                raise _bad(
                    f"entity beginning at UTF-16 offset {offset} ends after the end of the "
                    f"text at UTF-16 offset {offset + length}"
                )
            entity: JSON = {"type": etype, "offset": offset, "length": length}
            if etype == "text_link":
                url = item.get("url")
                if not isinstance(url, str):
                    raise _bad("can't parse MessageEntity: Can't find field \"url\"")
                checked = check_link(url)
                if checked is None:
                    raise _bad(f"entity URL '{url}' is invalid: Wrong HTTP URL")
                entity["url"] = checked
            elif etype == "pre" and isinstance(item.get("language"), str):
                entity["language"] = item["language"]
            elif etype == "custom_emoji":
                if "custom_emoji_id" not in item:
                    raise _bad("can't parse MessageEntity: Can't find field \"custom_emoji_id\"")
                entity["custom_emoji_id"] = str(item["custom_emoji_id"])
            elif etype == "text_mention":
                raise _bad("user not found")
            if length > 0:
                result.append(entity)
        return sort_entities(result)

    def _markup(self, params: JSON, *, inline_only: bool = False) -> JSON | None:
        """Validate ``reply_markup`` like Telegram; returns the normalized markup or None."""
        raw = params.get("reply_markup")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in raw:
            return self._inline_markup(raw)
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in raw:
            return self._reply_keyboard(raw)
        for flag in ("remove_keyboard", "force_reply"):
            if flag in raw:
                if not _is_bool(raw[flag]):
                    raise _bad(f'field "{flag}" must be of type Boolean')
                if "selective" in raw and not _is_bool(raw["selective"]):
                    raise _bad('field "selective" must be of type Boolean')
                return dict(raw) if raw[flag] else None
        raise _bad("can't parse reply keyboard markup JSON object")

    def _inline_markup(self, raw: JSON) -> JSON | None:
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list):
            raise _bad('field "inline_keyboard" must be of type Array')
        prefix = "can't parse inline keyboard button: "
        out_rows: list[list[JSON]] = []
        count = 0
        for row in rows:
            if not isinstance(row, list):
                raise _bad('field "inline_keyboard" must be an Array of Arrays')
            out_row: list[JSON] = []
            for button in row:
                if not isinstance(button, dict):
                    raise _bad(prefix + "InlineKeyboardButton must be an Object")
                if "text" not in button:
                    raise _bad(prefix + 'Can\'t find field "text"')
                if not isinstance(button["text"], str):
                    raise _bad(prefix + 'Field "text" must be of type String')
                actions = [
                    name
                    for name in _INLINE_ACTIONS
                    if button.get(name) is not None and not (name in ("callback_data", "url") and button[name] == "")
                ]
                if not actions:
                    raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
                if not button["text"].strip():
                    raise _bad("BUTTON_TEXT_INVALID")
                self._check_inline_action(button, actions[0])
                out_row.append({k: v for k, v in button.items() if v is not None})
                count += 1
            out_rows.append(out_row)
        if count > self.MAX_INLINE_BUTTONS:
            raise _bad("REPLY_MARKUP_TOO_LONG")
        return {"inline_keyboard": out_rows} if count else None

    def _check_inline_action(self, button: JSON, action: str) -> None:
        value = button[action]
        if action == "callback_data":
            if not isinstance(value, str):
                raise _bad('can\'t parse inline keyboard button: Field "callback_data" must be of type String')
            if len(value.encode("utf-8")) > self.MAX_CALLBACK_DATA_BYTES:
                raise _bad("BUTTON_DATA_INVALID")
        elif action == "url":
            if not isinstance(value, str):
                raise _bad('can\'t parse inline keyboard button: Field "url" must be of type String')
            scheme = value.split("://", 1)[0].lower() if "://" in value else ""
            if scheme and scheme not in ("http", "https"):
                raise _bad(f"inline keyboard button URL '{value}' is invalid: Unsupported URL protocol")
            if not value.lower().startswith("tg://") and check_link(value) is None:
                raise _bad(f"inline keyboard button URL '{value}' is invalid: Wrong HTTP URL")
        elif action == "web_app":
            url = value.get("url") if isinstance(value, dict) else None
            if not isinstance(url, str) or not url.lower().startswith("https://"):
                raise _bad(f"inline keyboard button Web App URL '{url}' is invalid: Only HTTPS links are allowed")
        elif action == "pay":
            raise _bad("BUTTON_TYPE_INVALID")

    @staticmethod
    def _reply_keyboard(raw: JSON) -> JSON:
        rows = raw["keyboard"]
        if not isinstance(rows, list):
            raise _bad('field "keyboard" must be of type Array')
        out_rows: list[list[JSON]] = []
        for row in rows:
            if not isinstance(row, list):
                raise _bad('field "keyboard" must be an Array of Arrays')
            out_row: list[JSON] = []
            for button in row:
                if isinstance(button, str):
                    button = {"text": button}
                if not isinstance(button, dict):
                    raise _bad("can't parse keyboard button: KeyboardButton must be a String or an Object")
                if not isinstance(button.get("text"), str):
                    raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
                if not button["text"].strip():
                    raise _bad("BUTTON_TEXT_INVALID")
                out_row.append({k: v for k, v in button.items() if v is not None})
            out_rows.append(out_row)
        out: JSON = {"keyboard": out_rows}
        for flag in ("resize_keyboard", "one_time_keyboard", "is_persistent", "selective"):
            if flag in raw and raw[flag] is not None:
                if not _is_bool(raw[flag]):
                    raise _bad(f'field "{flag}" must be of type Boolean')
                out[flag] = raw[flag]
        placeholder = raw.get("input_field_placeholder")
        if placeholder is not None:
            if not isinstance(placeholder, str):
                raise _bad('field "input_field_placeholder" must be of type String')
            if len(placeholder) > 64:
                raise _bad("input field placeholder is too long")
            out["input_field_placeholder"] = placeholder
        return out

    def _reply_target(self, params: JSON, chat_id: int) -> FakeMessage | None:
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            if message_id is None:
                raise _bad('can\'t find field "message_id"')
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        elif "reply_to_message_id" in params:
            message_id = params["reply_to_message_id"]
        else:
            return None
        target = self._find(chat_id, message_id) if isinstance(message_id, int) else None
        if target is None and not allow_missing:
            raise _bad("message to be replied not found")
        return target

    def _flood_check(self, chat_id: int) -> None:
        limits = self.flood
        if not limits.enabled:
            return
        now = self.clock()
        tokens, last = self._chat_buckets.get(chat_id, (float(limits.per_chat_burst), now))
        tokens = min(float(limits.per_chat_burst), tokens + (now - last) * limits.per_chat_per_second)
        if tokens < 1.0:
            wait = (1.0 - tokens) / limits.per_chat_per_second
            self._too_many(wait)
        while self._global_sends and self._global_sends[0] <= now - 1.0:
            self._global_sends.popleft()
        if len(self._global_sends) >= limits.global_per_second:
            self._too_many(self._global_sends[0] + 1.0 - now)
        if chat_id in self._groups:
            sends = self._group_sends.setdefault(chat_id, deque())
            while sends and sends[0] <= now - 60.0:
                sends.popleft()
            if len(sends) >= limits.per_group_per_minute:
                self._too_many(sends[0] + 60.0 - now)
            sends.append(now)
        self._chat_buckets[chat_id] = (tokens - 1.0, now)
        self._global_sends.append(now)

    @staticmethod
    def _too_many(wait: float) -> NoReturn:
        seconds = max(1, math.ceil(wait - 1e-9))
        raise FakeApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    # ---------------------------------------------------------- chat storage

    def _new_message(self, chat_id: int, *, from_bot: bool, **fields: Any) -> FakeMessage:
        sender_id: int | None = fields.pop("sender_id", None)  # a group message's author
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        user = self.bot_user if from_bot else self._users[sender_id if sender_id is not None else chat_id]
        message = FakeMessage(
            message_id=message_id,
            chat_id=chat_id,
            from_bot=from_bot,
            date=int(self.wall_clock()),
            sender=self.bot_user if from_bot else dict(user),
            chat=self._chat_json(chat_id),
            **fields,
        )
        self._chats.setdefault(chat_id, []).append(message)
        return message

    def _chat_json(self, chat_id: int) -> JSON:
        if chat_id in self._groups:
            group = self._groups[chat_id]
            return {"id": chat_id, "type": group.get("type", "group"), "title": group["title"]}
        user = self._users[chat_id]
        chat: JSON = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        if user.get("username"):
            chat["username"] = user["username"]
        return chat

    def _store_file(self, kind: str, upload: Upload, extension: str) -> _StoredFile:
        self._file_counter += 1
        n = self._file_counter
        prefix = {"photo": "AgACAgQAAxk", "document": "BQACAgQAAxk"}[kind]
        stored = _StoredFile(
            file_id=f"{prefix}{n:08d}Fake{self.bot_id}",
            file_unique_id=f"AQAD{n:06d}",
            kind=kind,
            content=upload.content,
            file_path=f"{kind}s/file_{n}.{extension}",
            filename=upload.filename,
            mime_type=upload.mime_type,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _notify(self, message: FakeMessage, event: str) -> None:
        for listener in list(self._listeners):
            listener(message, event)

    # ---------------------------------------------------------- methods: bot

    async def _get_me(self, params: JSON, files: dict[str, Upload]) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _unsupported(self, params: JSON, files: dict[str, Upload]) -> Any:
        raise _bad("faketelegram refuses logOut and close: a test should never call them")

    async def _set_webhook(self, params: JSON, files: dict[str, Upload]) -> bool:
        url = self._opt_str(params, "url") or ""
        if url and not url.lower().startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook_url = url
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _delete_webhook(self, params: JSON, files: dict[str, Upload]) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: JSON, files: dict[str, Upload]) -> JSON:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _get_updates(self, params: JSON, files: dict[str, Upload]) -> list[JSON]:
        if self._webhook_url:
            raise FakeApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = self._opt_int(params, "offset")
        limit = min(max(self._opt_int(params, "limit") or 100, 1), 100)
        timeout = max(self._opt_int(params, "timeout") or 0, 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = {str(a) for a in allowed} or set(_DEFAULT_ALLOWED_UPDATES)
        if offset is not None and offset < 0:
            self._pending = self._pending[offset:]
        elif offset:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

        self._poll_generation += 1
        generation = self._poll_generation
        self._wake("conflict")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._pending = [u for u in self._pending if self._update_type(u) in self._allowed_updates]
            if self._pending:
                return copy.deepcopy(self._pending[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            waiter: asyncio.Future[str] = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait({waiter}, timeout=remaining)
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                if not waiter.done():
                    waiter.cancel()
            if waiter.done() and not waiter.cancelled() and waiter.result() == "release":
                return []
            if self._poll_generation != generation:
                raise FakeApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )

    @staticmethod
    def _update_type(update: JSON) -> str:
        return next(key for key in update if key != "update_id")

    def _wake(self, reason: str) -> None:
        for waiter in list(self._waiters):
            try:
                waiter.get_loop().call_soon_threadsafe(_resolve, waiter, reason)
            except RuntimeError:  # its loop is closed: nobody is waiting any more
                self._waiters.remove(waiter)

    def _scope_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise _bad("can't parse BotCommandScope JSON object")
        language = self._opt_str(params, "language_code") or ""
        return json.dumps(scope, sort_keys=True), language

    async def _set_my_commands(self, params: JSON, files: dict[str, Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSON] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand: expected an Object")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not _BOT_COMMAND_RE.fullmatch(command):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        self._commands[self._scope_key(params)] = cleaned
        return True

    async def _get_my_commands(self, params: JSON, files: dict[str, Upload]) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._scope_key(params), []))

    async def _delete_my_commands(self, params: JSON, files: dict[str, Upload]) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    def _set_bot_text(self, name: str) -> _Method:
        async def setter(params: JSON, files: dict[str, Upload]) -> bool:
            value = self._opt_str(params, name) or ""
            self._bot_texts[(name, self._opt_str(params, "language_code") or "")] = value
            return True

        return setter

    def _get_bot_text(self, name: str) -> _Method:
        async def getter(params: JSON, files: dict[str, Upload]) -> JSON:
            key = (name, self._opt_str(params, "language_code") or "")
            value = self._bot_texts.get(key, self.bot_first_name if name == "name" else "")
            return {name: value}

        return getter

    async def _set_chat_menu_button(self, params: JSON, files: dict[str, Upload]) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
            raise _bad("can't parse MenuButton JSON object")
        chat_id = self._chat(params, sending=False) if "chat_id" in params else None
        self._menu_buttons[chat_id] = dict(button)
        return True

    async def _get_chat_menu_button(self, params: JSON, files: dict[str, Upload]) -> JSON:
        chat_id = self._chat(params, sending=False) if "chat_id" in params else None
        return dict(self._menu_buttons.get(chat_id) or self._menu_buttons.get(None) or {"type": "commands"})

    async def _send_message(self, params: JSON, files: dict[str, Upload]) -> JSON:
        if not params.get("text"):
            raise _bad("message text is empty")
        if params.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        parsed = self._formatted(params, "text", "entities")
        assert parsed is not None
        markup = self._markup(params)
        chat_id = self._chat(params)
        text, entities = self._finish_text(
            *parsed, self.MAX_TEXT_UTF16, "message is too long", "text must be non-empty"
        )
        reply_to = self._reply_target(params, chat_id)
        self._flood_check(chat_id)
        message = self._new_message(
            chat_id,
            from_bot=True,
            text=text,
            html=params["text"],
            entities=entities,
            reply_markup=markup,
            reply_to=reply_to,
        )
        return self._sent(message)

    def _sent(self, message: FakeMessage) -> JSON:
        self._notify(message, "sent")
        return message.to_dict()

    def _caption(self, params: JSON) -> tuple[str | None, list[JSON]]:
        parsed = self._formatted(params, "caption", "caption_entities")
        if parsed is None:
            return None, []
        text, entities = self._finish_text(*parsed, self.MAX_CAPTION_UTF16, "message caption is too long", None)
        return (text or None), (entities if text else [])

    def _input_file(self, params: JSON, files: dict[str, Upload], name: str, kind: str) -> Upload | _StoredFile:
        if name in files:
            return files[name]
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = files.get(value[len("attach://") :])
            if attached is None:
                raise _bad(f'can\'t find attached file "{value[len("attach://") :]}"')
            return attached
        if isinstance(value, str) and value:
            if value.lower().startswith(("http://", "https://")):
                raise _bad("failed to get HTTP URL content (faketelegram is offline: upload the bytes instead)")
            stored = self._files.get(value)
            if stored is None:
                raise _bad("wrong file identifier/HTTP URL specified")
            if stored.kind != kind:
                raise _bad("type of file mismatch")
            return stored
        raise _bad(f"there is no {name} in the request")

    async def _send_photo(self, params: JSON, files: dict[str, Upload]) -> JSON:
        if params.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        source = self._input_file(params, files, "photo", "photo")
        self._caption(params)  # refuse a bad caption before anything is stored
        markup = self._markup(params)
        chat_id = self._chat(params)
        image: tuple[str, int, int] | None = None
        if isinstance(source, Upload):
            if len(source.content) > self.MAX_PHOTO_BYTES:
                raise _bad("PHOTO_SAVE_FILE_INVALID")
            image = _image_size(source.content)
            if image is None:
                raise _bad("IMAGE_PROCESS_FAILED")
            _, width, height = image
            if width + height > 10000 or max(width, height) > 20 * max(1, min(width, height)):
                raise _bad("PHOTO_INVALID_DIMENSIONS")
        reply_to = self._reply_target(params, chat_id)
        self._flood_check(chat_id)
        if isinstance(source, Upload):
            assert image is not None
            stored = self._store_file("photo", source, image[0])
            stored.width, stored.height = image[1], image[2]
        else:
            stored = source
        return self._sent_media(chat_id, params, markup, reply_to, photo_file=stored)

    def _sent_media(
        self, chat_id: int, params: JSON, markup: JSON | None, reply_to: FakeMessage | None, **file: _StoredFile
    ) -> JSON:
        """Record a bot photo or document message (its caption already checked) and return it."""
        caption, caption_entities = self._caption(params)
        message = self._new_message(
            chat_id,
            from_bot=True,
            caption=caption,
            caption_entities=caption_entities,
            html=params.get("caption"),
            reply_markup=markup,
            reply_to=reply_to,
            **file,
        )
        return self._sent(message)

    async def _send_document(self, params: JSON, files: dict[str, Upload]) -> JSON:
        if params.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        source = self._input_file(params, files, "document", "document")
        if isinstance(source, Upload) and len(source.content) > self.MAX_UPLOAD_BYTES:
            raise FakeApiError(413, "Request Entity Too Large")
        self._caption(params)  # refuse a bad caption before anything is stored
        markup = self._markup(params)
        chat_id = self._chat(params)
        if isinstance(source, Upload) and not source.content:
            raise _bad("file must be non-empty")
        reply_to = self._reply_target(params, chat_id)
        self._flood_check(chat_id)
        if isinstance(source, Upload):
            extension = source.filename.rsplit(".", 1)[-1] if "." in source.filename else "bin"
            stored = self._store_file("document", source, extension)
        else:
            stored = source
        return self._sent_media(chat_id, params, markup, reply_to, document_file=stored)

    async def _get_file(self, params: JSON, files: dict[str, Upload]) -> JSON:
        file_id = self._opt_str(params, "file_id")
        stored = self._files.get(file_id or "")
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.content) > self.MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return stored.file_json()

    async def _send_chat_action(self, params: JSON, files: dict[str, Upload]) -> bool:
        action = self._opt_str(params, "action")
        if not action:
            raise _bad("action is empty")
        if params.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        chat_id = self._chat(params)
        self.chat_actions.append((chat_id, action))
        return True

    def _editable(self, params: JSON) -> FakeMessage:
        self._no_inline_message(params)
        chat_id = self._chat(params)
        message = self._find(chat_id, self._message_id(params))
        if message is None:
            raise _bad("message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return message

    def _apply_edit(
        self,
        message: FakeMessage,
        before: tuple[Any, ...],
        after: tuple[Any, ...],
        markup: JSON | None,
        **changes: Any,
    ) -> JSON:
        """Apply an edit unless it changes nothing the user sees.

        Only an inline keyboard belongs to a message: an edit without ``reply_markup`` removes
        it, while a reply keyboard the message once set stays as it was.
        """
        self._flood_check(message.chat_id)  # edits share the chat's limits with sends
        if (*before, message.inline_keyboard) == (*after, markup):
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        message.history.append(
            {
                "text": message.text,
                "caption": message.caption,
                "html": message.html,
                "entities": message.entities,
                "caption_entities": message.caption_entities,
                "reply_markup": message.reply_markup,
            }
        )
        for key, value in changes.items():
            setattr(message, key, value)
        if markup is not None or message.inline_keyboard is not None:
            message.reply_markup = markup
        message.edit_count += 1
        message.edit_date = int(self.wall_clock())
        self._notify(message, "edited")
        return message.to_dict()

    async def _edit_message_text(self, params: JSON, files: dict[str, Upload]) -> JSON:
        if not params.get("text"):
            raise _bad("message text is empty")
        parsed = self._formatted(params, "text", "entities")
        assert parsed is not None
        markup = self._markup(params, inline_only=True)
        message = self._editable(params)
        if message.text is None:
            raise _bad("there is no text in the message to edit")
        text, entities = self._finish_text(
            *parsed, self.MAX_TEXT_UTF16, "message is too long", "text must be non-empty"
        )
        return self._apply_edit(
            message,
            (message.text, message.entities),
            (text, entities),
            markup,
            text=text,
            entities=entities,
            html=params["text"],
        )

    async def _edit_message_caption(self, params: JSON, files: dict[str, Upload]) -> JSON:
        caption, caption_entities = self._caption(params)
        markup = self._markup(params, inline_only=True)
        message = self._editable(params)
        if message.text is not None:
            raise _bad("there is no caption in the message to edit")
        return self._apply_edit(
            message,
            (message.caption, message.caption_entities),
            (caption, caption_entities),
            markup,
            caption=caption,
            caption_entities=caption_entities,
            html=params.get("caption"),
        )

    async def _edit_message_reply_markup(self, params: JSON, files: dict[str, Upload]) -> JSON:
        markup = self._markup(params, inline_only=True)
        message = self._editable(params)
        return self._apply_edit(message, (), (), markup)

    async def _delete_message(self, params: JSON, files: dict[str, Upload]) -> bool:
        chat_id = self._chat(params, sending=False)
        message = self._find(chat_id, self._message_id(params))
        if message is None:
            raise _bad("message to delete not found")
        message.deleted = True
        self._notify(message, "deleted")
        return True

    async def _answer_callback_query(self, params: JSON, files: dict[str, Upload]) -> bool:
        query_id = self._opt_str(params, "callback_query_id")
        if not query_id:
            raise _bad("callback_query_id is empty")
        text = self._opt_str(params, "text")
        query = self._queries.get(query_id)
        if query is None or query.answered or self.clock() - query.created > self.CALLBACK_QUERY_TTL:
            raise _bad(_QUERY_TOO_OLD[len("Bad Request: ") :])
        if text is not None and len(text) > self.MAX_CALLBACK_ANSWER_CHARS:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
            }
        )
        return True

    # ---------------------------------------------------------- user side

    def _user(self, user_id: int, first_name: str | None) -> JSON:
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
            raise FakeUsageError(f"a user id is a positive int, got {user_id!r}")
        if user_id == self.bot_id:
            raise FakeUsageError("the bot cannot message itself")
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or "Ada", "language_code": "en"}
            self._users[user_id] = user
            self._chats.setdefault(user_id, [])
        elif first_name:
            user["first_name"] = first_name
        return user

    def _push(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._pending.append(update)
        self._wake("update")
        return copy.deepcopy(update)

    def send_text(self, user_id: int, text: str, first_name: str | None = None) -> JSON:
        """The user types ``text`` (default name "Ada"); returns the queued update.

        A user who had blocked the bot unblocks it first, like pressing "Restart".
        """
        if not text.strip():
            raise FakeUsageError("Telegram clients do not send empty messages")
        if utf16_len(text) > self.MAX_TEXT_UTF16:
            raise FakeUsageError("Telegram clients split texts over 4096 characters")
        self._user(user_id, first_name)
        if user_id in self._blocked:
            self.unblock(user_id)
        message = self._new_message(
            user_id, from_bot=False, text=text, entities=sort_entities(_detect_entities(text, []))
        )
        return self._push("message", message.to_dict())

    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str = "text/csv",
        caption: str | None = None,
        first_name: str | None = None,
    ) -> JSON:
        """The user sends a file; getFile and the download URL will serve ``content``."""
        if not content:
            raise FakeUsageError("Telegram clients do not send empty files")
        self._user(user_id, first_name)
        if user_id in self._blocked:
            self.unblock(user_id)
        extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = self._store_file("document", Upload(filename, content, mime_type), extension)
        message = self._new_message(
            user_id,
            from_bot=False,
            caption=caption or None,
            document_file=stored,
            caption_entities=sort_entities(_detect_entities(caption, [])) if caption else [],
        )
        return self._push("message", message.to_dict())

    def press(self, user_id: int, message_id: int, callback_data: str, *, force: bool = False) -> JSON:
        """The user presses the button with ``callback_data`` under a message.

        Raises unless that message shows such a button; ``force=True`` forges the data.
        """
        if user_id not in self._users:
            raise FakeUsageError(f"user {user_id} has never talked to the bot")
        message = self._find(user_id, message_id)
        if message is None:
            raise FakeUsageError(f"chat {user_id} has no message {message_id} to press a button on")
        datas = [data for row in message.buttons for _, data in row]
        callback_datas = [
            b.get("callback_data") for row in (message.inline_keyboard or {}).get("inline_keyboard", []) for b in row
        ]
        if not force and callback_data not in callback_datas:
            raise FakeUsageError(
                f"message {message_id} has no button with callback_data {callback_data!r}; its buttons: {datas}"
            )
        if user_id in self._blocked:
            raise FakeUsageError(f"user {user_id} has blocked the bot; unblock first")
        self._query_counter += 1
        query_id = str(self._query_counter)
        self._queries[query_id] = _Query(user_id, message_id, self.clock())
        payload = {
            "id": query_id,
            "from": dict(self._users[user_id]),
            "message": message.to_dict(),
            "chat_instance": str((user_id * 7_919 + self.bot_id) % 10**18),
            "data": callback_data,
        }
        return self._push("callback_query", payload)

    def press_button(self, user_id: int, text_substring: str) -> JSON:
        """Press the button whose label contains ``text_substring`` on the newest bot message
        that has one; raises listing the buttons on offer if there is none (or several)."""
        offered: list[str] = []
        for message in reversed(self.bot_messages(user_id)):
            matches = [
                (text, b)
                for row in (message.inline_keyboard or {}).get("inline_keyboard", [])
                for b in row
                for text in [b["text"]]
                if text_substring in text
            ]
            offered.extend(text for row in message.buttons for text, _ in row)
            if not matches:
                continue
            if len(matches) > 1:
                raise FakeUsageError(
                    f"{text_substring!r} matches several buttons on message "
                    f"{message.message_id}: {[t for t, _ in matches]}"
                )
            text, button = matches[0]
            if "callback_data" not in button:
                raise FakeUsageError(
                    f"button {text!r} is a {sorted(set(button) - {'text'})} button, not a callback button"
                )
            return self.press(user_id, message.message_id, button["callback_data"])
        raise FakeUsageError(f"no button containing {text_substring!r} in chat {user_id}; buttons on offer: {offered}")

    def block(self, user_id: int) -> JSON:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update arrives."""
        if user_id not in self._users:
            raise FakeUsageError(f"user {user_id} has never talked to the bot")
        if user_id in self._blocked:
            raise FakeUsageError(f"user {user_id} has already blocked the bot")
        self._blocked.add(user_id)
        return self._member_update(user_id, "member", "kicked")

    def unblock(self, user_id: int) -> JSON:
        """The user unblocks the bot (Telegram's "Restart" button does this)."""
        if user_id not in self._blocked:
            raise FakeUsageError(f"user {user_id} has not blocked the bot")
        self._blocked.discard(user_id)
        return self._member_update(user_id, "kicked", "member")

    def _member_update(self, user_id: int, old: str, new: str) -> JSON:
        return self._group_member_update(user_id, user_id, old, new)  # a private chat's id is the user's

    # ---------------------------------------------------------- groups

    def add_to_group(self, group_id: int, title: str, by_user: int) -> JSON:
        """``by_user`` adds the bot to a group (ids of groups are negative); a my_chat_member arrives."""
        if group_id >= 0:
            raise FakeUsageError("group chat ids are negative")
        self._user(by_user, None)
        self._groups[group_id] = {"title": title, "bot_in": True}
        self._chats.setdefault(group_id, [])
        return self._group_member_update(group_id, by_user, "left", "member")

    def remove_from_group(self, group_id: int, by_user: int) -> JSON:
        """``by_user`` removes the bot from the group: sends there fail with 403 from now on."""
        if not self._groups.get(group_id, {}).get("bot_in"):
            raise FakeUsageError(f"the bot is not in group {group_id}")
        self._groups[group_id]["bot_in"] = False
        return self._group_member_update(group_id, by_user, "member", "kicked")

    def migrate_group(self, group_id: int, new_id: int) -> None:
        """The group becomes a supergroup with ``new_id``: sends to the old id get 400 with
        ``migrate_to_chat_id``, as Telegram answers."""
        old = self._groups.get(group_id)
        if old is None or new_id >= 0 or new_id in self._groups:
            raise FakeUsageError("migrate an existing group to a new negative id")
        self._groups[new_id] = {"title": old["title"], "bot_in": old["bot_in"], "type": "supergroup"}
        self._chats.setdefault(new_id, [])
        old["migrated_to"] = new_id

    def _group_member_update(self, chat_id: int, by_user: int, old: str, new: str) -> JSON:
        """The bot's membership in ``chat_id`` changed from ``old`` to ``new`` (``by_user`` did it)."""

        def member(status: str) -> JSON:
            data: JSON = {"status": status, "user": self.bot_user}
            if status == "kicked":
                data["until_date"] = 0
            return data

        payload = {
            "chat": self._chat_json(chat_id),
            "from": dict(self._users[by_user]),
            "date": int(self.wall_clock()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return self._push("my_chat_member", payload)

    def send_group_text(self, group_id: int, user_id: int, text: str, first_name: str | None = None) -> JSON:
        """``user_id`` writes ``text`` in a group the bot is in."""
        if not self._groups.get(group_id, {}).get("bot_in"):
            raise FakeUsageError(f"the bot is not in group {group_id}")
        if not text.strip():
            raise FakeUsageError("Telegram clients do not send empty messages")
        self._user(user_id, first_name)
        message = self._new_message(
            group_id, from_bot=False, sender_id=user_id, text=text, entities=sort_entities(_detect_entities(text, []))
        )
        return self._push("message", message.to_dict())

    def pop_updates(self) -> list[JSON]:
        """Take every queued update (for tests that call ``process_update`` themselves)."""
        updates, self._pending = self._pending, []
        return updates

    # ---------------------------------------------------------- inspection

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[FakeMessage]:
        """The chat in order, user and bot messages alike."""
        return [m for m in self._chats.get(chat_id, []) if include_deleted or not m.deleted]

    def bot_messages(self, chat_id: int) -> list[FakeMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot]

    def last_bot_message(self, chat_id: int) -> FakeMessage:
        sent = self.bot_messages(chat_id)
        if not sent:
            raise FakeUsageError(f"the bot has no (undeleted) message in chat {chat_id}")
        return sent[-1]

    def reply_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """The reply keyboard the user currently sees, or None."""
        for message in reversed(self.bot_messages(chat_id)):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return message.keyboard
            if markup.get("remove_keyboard"):
                return None
        return None

    def is_blocked(self, user_id: int) -> bool:
        return user_id in self._blocked

    @property
    def commands(self) -> list[JSON]:
        """What setMyCommands set for the default scope and language."""
        return self.scoped_commands("default")

    def scoped_commands(self, scope_type: str) -> list[JSON]:
        """What setMyCommands set for a scope such as ``all_private_chats`` (default language)."""
        return copy.deepcopy(self._commands.get((json.dumps({"type": scope_type}), ""), []))

    def calls_to(self, method: str) -> list[JSON]:
        """The params of every call to ``method`` (case-insensitive), in order."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def assert_no_errors(self) -> None:
        """Fail if the fake refused anything the bot asked."""
        if self.errors:
            raise AssertionError(f"the fake Telegram refused: {self.errors}")


def _resolve(waiter: asyncio.Future[str], reason: str) -> None:
    if not waiter.done():
        waiter.set_result(reason)
