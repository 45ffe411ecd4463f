"""Telegram's HTML parse mode, modelled on TDLib's parser.

``parse_html(text)`` returns the plain text a user would see and the Bot API entities, with
offsets and lengths in UTF-16 code units. Bad markup raises :class:`HTMLParseError`, whose
``description`` is the exact ``Bad Request: can't parse entities: ...`` text the Bot API returns
(byte offsets count UTF-8 bytes of the markup, as Telegram's do).

Deliberately stricter than Telegram in one place: Telegram shows an ``&`` that does not start a
known entity (``&``, ``&copy;``, ``&#0;``) literally; here it is an error, because our bot
escapes everything it sends and an unescaped ``&`` means a missing ``html.escape``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

__all__ = ["HTMLParseError", "check_link", "parse_html", "sort_entities"]

_PREFIX = "Bad Request: can't parse entities: "

_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)

_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}

_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}

# TDLib's order for entities that start at the same offset and have the same length.
_TYPE_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "mention": 50,
    "hashtag": 50,
    "cashtag": 50,
    "bot_command": 50,
    "url": 50,
    "email": 50,
    "phone_number": 50,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}

_LT, _GT, _AMP, _SLASH, _EQ, _HASH = 0x3C, 0x3E, 0x26, 0x2F, 0x3D, 0x23
_SPACES = frozenset(b" \t\r\n\v\f\0")
_INT64_MAX = 2**63 - 1


class HTMLParseError(ValueError):
    """Markup Telegram would refuse; ``description`` is the Bot API's error text."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.description = _PREFIX + message
        super().__init__(self.description)


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    out_offset: int


def _priority(entity: dict[str, object]) -> int:
    etype = str(entity["type"])
    if etype == "pre" and entity.get("language"):
        return 10
    return _TYPE_PRIORITY.get(etype, 50)


def sort_entities(entities: list[dict[str, object]]) -> list[dict[str, object]]:
    """Telegram's entity order: by offset, longer first, then by type priority."""
    return sorted(
        entities,
        key=lambda e: (int(str(e["offset"])), -int(str(e["length"])), _priority(e)),
    )


def check_link(url: str) -> str | None:
    """Normalise a link the way Telegram does for text links, or None if it is not one."""
    if not url or any(ch.isspace() for ch in url):
        return None
    lowered = url.lower()
    if lowered.startswith(("tg:", "ton:")):
        return url if len(url.split(":", 1)[1]) > 0 else None
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = parts.hostname or ""
    labels = host.split(".")
    if (
        len(labels) < 2
        or any(not label for label in labels)
        or any(not all(ch.isalnum() or ch == "-" for ch in label) for label in labels)
    ):
        return None
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, parts.query, parts.fragment))


class _Parser:
    """One pass over the UTF-8 bytes of the markup, like TDLib's ``parse_html``."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.size = len(self.data)
        self.out = bytearray()
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, object]] = []
        self.bad_unicode = False

    def at(self, i: int) -> int:
        return self.data[i] if i < self.size else 0

    def decode_entity(self, pos: int) -> tuple[int, int]:
        """Decode the character reference at ``pos``; returns (code point, end) or raises."""
        data, end = self.data, pos + 1
        code = 0
        if self.at(pos + 1) == _HASH:
            end += 1
            if self.at(pos + 2) == ord("x"):
                end += 1
                while self.at(end) and chr(self.at(end)) in "0123456789abcdefABCDEF":
                    code = code * 16 + int(chr(data[end]), 16)
                    end += 1
            else:
                while 0x30 <= self.at(end) <= 0x39:
                    code = code * 10 + data[end] - 0x30
                    end += 1
            if code == 0 or code >= 0x10FFFF or end - pos >= 10:
                self.fail_ampersand(pos)
        else:
            while chr(self.at(end)).isascii() and chr(self.at(end)).isalpha():
                end += 1
            named = _NAMED_ENTITIES.get(data[pos + 1 : end])
            if named is None:
                self.fail_ampersand(pos)
            code = ord(named)
        if self.at(end) == ord(";"):
            end += 1
        return code, end

    def fail_ampersand(self, pos: int) -> NoReturn:
        raise HTMLParseError(
            f'Unsupported HTML entity at byte offset {pos}: a bare "&" must be written as "&amp;"'
            " (faketelegram is stricter than Telegram here, which would show it literally)"
        )

    def append_code_point(self, target: bytearray, code: int) -> None:
        if 0xD800 <= code <= 0xDFFF:
            self.bad_unicode = True
            return
        target.extend(chr(code).encode("utf-8"))

    def run(self) -> tuple[str, list[dict[str, object]]]:
        i = 0
        while i < self.size:
            c = self.data[i]
            if c == _AMP:
                code, i = self.decode_entity(i)
                self.utf16 += 2 if code > 0xFFFF else 1
                self.append_code_point(self.out, code)
                continue
            if c != _LT:
                if c & 0xC0 != 0x80:
                    self.utf16 += 2 if c >= 0xF0 else 1
                self.out.append(c)
                i += 1
                continue
            i = self.end_tag(i) if self.at(i + 1) == _SLASH else self.start_tag(i)
        if self.stack:
            raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        if self.bad_unicode:
            raise HTMLParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        return self.out.decode("utf-8"), sort_entities(self.entities)

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != _GT:
            i += 1
        if i >= self.size:
            raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
        tag = self.data[begin + 1 : i].lower().decode("utf-8", "replace")
        if tag not in _ALLOWED_TAGS:
            raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')

        argument = ""
        while self.at(i) != _GT:
            while i < self.size and self.at(i) in _SPACES:
                i += 1
            if self.at(i) == _GT:
                break
            if i >= self.size:
                raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            name_begin = i
            while self.at(i) not in _SPACES and self.at(i) not in (_EQ, _GT):
                i += 1
            name = self.data[name_begin:i].decode("utf-8", "replace")
            if not name:
                raise HTMLParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
            while i < self.size and self.at(i) in _SPACES:
                i += 1
            if self.at(i) != _EQ:
                if tag == "blockquote" and name == "expandable":
                    argument = "1"
                continue
            i += 1
            while i < self.size and self.at(i) in _SPACES:
                i += 1
            if i >= self.size:
                raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self.attribute_value(i)
            if i >= self.size:
                raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and name == "emoji-id":
                argument = value
            elif tag == "blockquote" and name == "expandable":
                argument = "1"

        if tag == "span" and argument != "spoiler":
            raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.stack.append(_Open(tag, argument, self.utf16, len(self.out)))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in (ord('"'), ord("'")):
            # A name token: letters, digits, periods or hyphens; case-insensitive.
            begin = i
            while chr(self.at(i)).isascii() and (chr(self.at(i)).isalnum() or self.at(i) in b".-"):
                i += 1
            if self.at(i) not in _SPACES and self.at(i) != _GT:
                raise HTMLParseError(f"Unexpected end of name token at byte offset {begin}")
            return self.data[begin:i].lower().decode("ascii"), i
        i += 1
        value = bytearray()
        while i < self.size and self.at(i) != quote:
            if self.at(i) == _AMP:
                code, i = self.decode_entity(i)
                self.append_code_point(value, code)
                continue
            value.append(self.data[i])
            i += 1
        if self.at(i) == quote and i < self.size:
            i += 1
        return value.decode("utf-8", "replace"), i

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise HTMLParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != _GT:
            i += 1
        end_name = self.data[begin + 2 : i].decode("utf-8", "replace")
        while i < self.size and self.at(i) in _SPACES:
            i += 1
        if self.at(i) != _GT or i >= self.size:
            raise HTMLParseError(f"Unclosed end tag at byte offset {begin}")
        opened = self.stack[-1]
        if end_name and end_name != opened.tag:
            raise HTMLParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", found "</{end_name}>"'
            )
        self.stack.pop()
        if self.utf16 > opened.utf16_offset:
            self.add_entity(opened)
        return i + 1

    def add_entity(self, opened: _Open) -> None:
        offset = opened.utf16_offset
        length = self.utf16 - offset
        tag, argument = opened.tag, opened.argument
        entity: dict[str, object] = {"type": "", "offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and last["offset"] == offset and last["length"] == length
        if tag in _SIMPLE_TYPES:
            entity["type"] = _SIMPLE_TYPES[tag]
        elif tag == "a":
            url = argument or self.out[opened.out_offset :].decode("utf-8", "replace")
            checked = check_link(url)
            if checked is None:
                return  # Telegram silently drops links it cannot use
            entity["type"] = "text_link"
            entity["url"] = checked
        elif tag == "pre":
            if last is not None and same_range and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
                return
            entity["type"] = "pre"
        elif tag == "code":
            if last is not None and same_range and last["type"] == "pre" and argument:
                last["language"] = argument
                return
            entity["type"] = "code"
            if argument:
                entity["language"] = argument  # dropped unless merged into an enclosing <pre>
        elif tag == "tg-emoji":
            if not argument.isdigit() or not 0 < int(argument) <= _INT64_MAX:
                raise HTMLParseError("Invalid custom emoji identifier specified")
            entity["type"] = "custom_emoji"
            entity["custom_emoji_id"] = argument
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        self.entities.append(entity)


def parse_html(text: str) -> tuple[str, list[dict[str, object]]]:
    """Parse Telegram HTML into (plain text, Bot API entities); raises HTMLParseError."""
    plain, entities = _Parser(text).run()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return plain, entities
