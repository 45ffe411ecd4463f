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


def test_mark_applied_marks_one_line_and_unmark_restores_it() -> None:
    """Only #1's line gets ✅ and "applied" (not #12's); unmarking gives the text back unchanged."""
    from bot.views.cards import mark_applied, unmark_applied

    text = "🗓 <b>Your week</b>\n1. #12 <b>Zeta</b> — Dev · fit 9\n2. #1 <b>Acme</b> — SRE · fit 8\nBest prospect: #3 x"
    marked = mark_applied(text, 1)
    assert marked.split("\n")[2] == "2. ✅ #1 <b>Acme</b> — SRE · fit 8 · <i>applied</i>"
    assert marked.split("\n")[1] == "1. #12 <b>Zeta</b> — Dev · fit 9"
    assert mark_applied(marked, 1) == marked
    assert unmark_applied(marked, 1) == text
    assert "✅ #3 x · <i>applied</i>" in mark_applied(text, 3)
    assert mark_applied(text, 7) == text


def test_swap_buttons_replaces_by_data_and_drops_empty_rows() -> None:
    """A button is replaced by its swaps (or removed); rows left empty disappear."""
    from bot.views.cards import swap_buttons
    from bot.views.markup import button, keyboard

    markup = keyboard([button("a", "x", "a"), button("b", "x", "b")], [button("c", "x", "c")])
    swapped = swap_buttons(markup, {"x:b": [button("b1", "x", "b1"), button("b2", "x", "b2")], "x:c": []})
    assert swapped is not None
    assert [[key.text for key in row] for row in swapped.inline_keyboard] == [["a", "b1", "b2"]]
    assert swap_buttons(None, {}) is None
