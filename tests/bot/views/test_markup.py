"""The markup primitives: messages stay within Telegram's limits, and domain reasons are escaped once."""

from __future__ import annotations

from bot.faketelegram import parse_html, utf16_len
from bot.views.markup import clip, reason


def test_clip_counts_utf16_units_and_cuts_between_lines() -> None:
    """Emoji count twice; the cut falls on a line break and the HTML stays valid."""
    text = "<b>Title</b>\n" + ("😀" * 100 + " &amp; <i>x</i>\n") * 40
    clipped = clip(text)
    plain, _ = parse_html(clipped)
    assert utf16_len(plain) <= 4096
    assert clipped.endswith("\n…")
    assert clipped.startswith("<b>Title</b>\n")


def test_clip_of_one_enormous_line_keeps_plain_escaped_text() -> None:
    """A single line over the limit loses its tags but stays valid, escaped and within limits."""
    text = "<b>" + "&amp;x😀" * 2000 + "</b>"
    clipped = clip(text)
    plain, _ = parse_html(clipped)
    assert utf16_len(plain) <= 4096
    assert plain.startswith("&x😀&x😀")


def test_short_text_is_untouched() -> None:
    """Nothing changes under the limit."""
    assert clip("<b>hi</b> &amp; bye") == "<b>hi</b> &amp; bye"


def test_reason_escapes_the_domain_text_and_shows_what_to_type_as_code() -> None:
    """A plain-text reason with user input and a `typed` example becomes safe HTML with one code span."""
    html_text = reason("I couldn't read “<soon> & co” as a closing date. Try `closes friday`.")
    assert html_text == (
        "I couldn&#x27;t read “&lt;soon&gt; &amp; co” as a closing date. Try <code>closes friday</code>."
    )
    plain, _ = parse_html(html_text)
    assert plain == "I couldn't read “<soon> & co” as a closing date. Try closes friday."
