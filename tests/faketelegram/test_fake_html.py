"""The fake's HTML parse mode accepts and rejects what Telegram's does, with its messages."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.faketelegram import HTMLParseError, parse_html

PREFIX = "Bad Request: can't parse entities: "


def error_of(markup: str) -> str:
    with pytest.raises(HTMLParseError) as caught:
        parse_html(markup)
    return caught.value.description


def test_parse_html_plain_text_passes_through() -> None:
    """Text without markup comes back unchanged and without entities."""
    assert parse_html("Applied to 3 jobs today") == ("Applied to 3 jobs today", [])


@pytest.mark.parametrize(
    ("markup", "entity"),
    [
        ("<b>x</b>", {"type": "bold"}),
        ("<strong>x</strong>", {"type": "bold"}),
        ("<i>x</i>", {"type": "italic"}),
        ("<em>x</em>", {"type": "italic"}),
        ("<u>x</u>", {"type": "underline"}),
        ("<ins>x</ins>", {"type": "underline"}),
        ("<s>x</s>", {"type": "strikethrough"}),
        ("<strike>x</strike>", {"type": "strikethrough"}),
        ("<del>x</del>", {"type": "strikethrough"}),
        ('<span class="tg-spoiler">x</span>', {"type": "spoiler"}),
        ("<tg-spoiler>x</tg-spoiler>", {"type": "spoiler"}),
        (
            '<a href="https://example.com/jobs?id=1">x</a>',
            {"type": "text_link", "url": "https://example.com/jobs?id=1"},
        ),
        ("<code>x</code>", {"type": "code"}),
        ("<pre>x</pre>", {"type": "pre"}),
        ('<pre><code class="language-python">x</code></pre>', {"type": "pre", "language": "python"}),
        ("<blockquote>x</blockquote>", {"type": "blockquote"}),
        ("<blockquote expandable>x</blockquote>", {"type": "expandable_blockquote"}),
        (
            '<tg-emoji emoji-id="5368324170671202286">x</tg-emoji>',
            {"type": "custom_emoji", "custom_emoji_id": "5368324170671202286"},
        ),
    ],
)
def test_parse_html_every_allowed_tag(markup: str, entity: dict[str, object]) -> None:
    """Each tag Telegram documents yields its entity over the enclosed text."""
    assert parse_html(markup) == ("x", [{**entity, "offset": 0, "length": 1}])


def test_parse_html_nested_tags_give_nested_entities() -> None:
    """Nested tags produce overlapping entities in Telegram's order (outer first)."""
    text, entities = parse_html("<b>Stage: <i>interview</i></b> next")
    assert text == "Stage: interview next"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 16},
        {"type": "italic", "offset": 7, "length": 9},
    ]


def test_parse_html_decodes_named_and_numeric_entities() -> None:
    """&lt; &gt; &amp; &quot; and decimal/hex references decode; html.escape output is fine."""
    assert parse_html("&lt;&gt;&amp;&quot;&#39;&#x27;&#128512;") == ("<>&\"''😀", [])
    assert parse_html(html.escape("Tom & Jerry's <Co>")) == ("Tom & Jerry's <Co>", [])


def test_parse_html_offsets_count_utf16_code_units() -> None:
    """An emoji before an entity shifts its offset by two UTF-16 units."""
    assert parse_html("😀 <b>ok</b>") == ("😀 ok", [{"type": "bold", "offset": 3, "length": 2}])


def test_parse_html_links_are_normalised_or_dropped() -> None:
    """A bare domain gains http:// and a slash; an unusable href silently loses its link."""
    assert parse_html("<a href=example.com>x</a>")[1][0]["url"] == "http://example.com/"
    assert parse_html('<a href="not a url">x</a>') == ("x", [])


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x</b><script>", 'Unsupported start tag "script" at byte offset 8'),
        ("é<x>", 'Unsupported start tag "x" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_parse_html_rejects_unknown_tag(markup: str, message: str) -> None:
    """Tags outside Telegram's list fail, at the tag's UTF-8 byte offset."""
    assert error_of(markup) == PREFIX + message


def test_parse_html_rejects_unclosed_tag() -> None:
    """An opened tag never closed fails naming the tag."""
    assert error_of("<b>Applied") == PREFIX + 'Can\'t find end tag corresponding to start tag "b"'


def test_parse_html_rejects_mismatched_end_tag() -> None:
    """Crossed tags fail at the first wrong end tag."""
    assert error_of("<b><i>x</b></i>") == (PREFIX + 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"')


def test_parse_html_rejects_end_tag_without_start() -> None:
    """An end tag with nothing open fails at its offset."""
    assert error_of("ok</b>") == PREFIX + "Unexpected end tag at byte offset 2"


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("salary < 50k", 'Unsupported start tag "" at byte offset 7'),
        ("I <3 offers", 'Unsupported start tag "3" at byte offset 2'),
        ("at the end <", "Unclosed start tag at byte offset 11"),
    ],
)
def test_parse_html_rejects_unescaped_less_than(markup: str, message: str) -> None:
    """A literal < that does not start a valid tag is an error, as in Telegram."""
    assert error_of(markup) == PREFIX + message


@pytest.mark.parametrize("markup", ["R&D", "a & b", "&copy; 2024", "&#0;", "&nbsp;"])
def test_parse_html_rejects_bare_ampersand(markup: str) -> None:
    """An & that is not one of the supported entities is refused (stricter than Telegram)."""
    assert error_of(markup).startswith(PREFIX + "Unsupported HTML entity at byte offset")


def test_parse_html_rejects_lone_surrogate_reference() -> None:
    """A numeric reference to a UTF-16 surrogate is invalid Unicode."""
    assert "invalid Unicode characters" in error_of("&#xD83D;")


@given(st.text())
def test_parse_html_round_trips_escaped_text(text: str) -> None:
    """Whatever the text, html.escape makes it parse back to itself with no entities."""
    assert parse_html(html.escape(text)) == (text, [])


@given(st.text(min_size=1))
def test_parse_html_bold_escaped_text_is_one_entity(text: str) -> None:
    """Escaped text in <b> is one bold entity whose length is the UTF-16 length."""
    plain, entities = parse_html(f"<b>{html.escape(text)}</b>")
    assert plain == text
    assert entities == [{"type": "bold", "offset": 0, "length": len(text.encode("utf-16-le")) // 2}]
