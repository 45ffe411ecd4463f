"""The people features' texts and keyboards: contact cards and lists, /stats network, the
partner's weekly summary and the group board. Every piece of user text is escaped with ``esc``."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import people as dom
from bot.domain.funnel import Rates
from bot.domain.models import JobApplication
from bot.views.markup import button, clip, esc, keyboard

PAGE = 8


def undo_row(entry_id: int) -> list[InlineKeyboardButton]:
    return [button("↩ Undo", "ppl", "undo", entry_id)]


def contact_line(contact: dom.Contact) -> str:
    title = f" — {esc(contact.title)}" if contact.title else ""
    return f"<b>{esc(contact.name)}</b>{title}"


def card_text(contact: dom.Contact, apps: dict[int, str], today: date) -> str:
    lines = [f"👤 {contact_line(contact)}"]
    facts = []
    if contact.link:
        facts.append(esc(contact.link))
    if contact.tags:
        facts.append(" ".join(f"#{esc(t)}" for t in contact.tags))
    if contact.met_on:
        facts.append(f"met {contact.met_on:%-d %b %Y}")
    if contact.via:
        facts.append(f"via {esc(contact.via)}")
    if facts:
        lines.append(" · ".join(facts))
    if contact.follow_up_on:
        when = "due now" if contact.follow_up_on <= today else f"on {contact.follow_up_on:%a %-d %b}"
        lines.append(f"⏰ Follow up {when}")
    shown = [n for n in contact.apps if n in apps]  # an application undone or deleted since drops out
    if shown:
        linked = ", ".join(f"#{n} {esc(apps[n])}" for n in shown[:6])
        lines.append(f"🔗 Referrer for {linked}")
    if contact.talks:
        lines.append("\n<b>Conversations</b>")
        lines += [f"{t.at:%-d %b}: {esc(t.text[:200])}" for t in contact.talks[-3:]]
    if contact.notes:
        lines.append("\n<b>Notes</b>")
        lines += [f"• {esc(n.text[:200])}" for n in contact.notes[-3:]]
    return clip("\n".join(lines), 1500)


def card_keyboard(contact: dom.Contact, undo: int | None = None) -> InlineKeyboardMarkup:
    rows = [
        [button("📝 Note", "ppl", "ask", "note", contact.id), button("💬 Talked", "ppl", "ask", "talk", contact.id)],
        [button("⏰ Follow up", "ppl", "fu", contact.id), button("🔗 Link application", "ppl", "lk", contact.id)],
    ]
    if undo is not None:
        rows.append(undo_row(undo))
    return keyboard(*rows)


def follow_up_keyboard(contact: dom.Contact) -> InlineKeyboardMarkup:
    weeks = [button(f"{w} week{'s' if w > 1 else ''}", "ppl", "fuw", contact.id, w) for w in dom.FOLLOW_UP_WEEKS]
    return keyboard(weeks, [button("No reminder", "ppl", "fuw", contact.id, 0)])


def plain_title(app: JobApplication) -> str:
    """Company — role, unescaped (for button labels, or to pass through esc)."""
    return f"{app.company} — {app.role}"


def list_view(
    contacts: list[dom.Contact], page: int, due: list[dom.Contact], quiet: list[dom.Contact]
) -> tuple[str, InlineKeyboardMarkup | None]:
    ordered = dom.by_recent(contacts)
    pages = max(1, -(-len(ordered) // PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [f"<b>Your contacts</b> ({len(ordered)}), most recently touched first"]
    if due:
        names = ", ".join(esc(c.name) for c in due[:5])
        people = "person" if len(due) == 1 else "people"
        lines.append(f"⏰ {len(due)} {people} to get back to: {names}")
    if quiet:
        lines.append("👋 Time to check in? " + ", ".join(esc(c.name) for c in quiet))
    shown = ordered[page * PAGE : (page + 1) * PAGE]
    lines.append("")
    lines += [f"{page * PAGE + i + 1}. {contact_line(c)}" for i, c in enumerate(shown)]
    if pages > 1:
        lines.append(f"\nPage {page + 1} of {pages}")
    rows = [[button(c.name[:30], "ppl", "card", c.id)] for c in shown]
    nav = []
    if page > 0:
        nav.append(button("◀ Back", "ppl", "pg", page - 1))
    if page + 1 < pages:
        nav.append(button("More ▶", "ppl", "pg", page + 1))
    if nav:
        rows.append(nav)
    return clip("\n".join(lines), 1500), keyboard(*rows) if rows else None


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def network_text(network: Rates, cold: Rates) -> str:
    def row(label: str, r: Rates) -> str:
        return (
            f"<b>{label}</b>: {r.applied} applied · response {_pct(r.response_rate)} · "
            f"interview {_pct(r.interview_rate)} · offer {_pct(r.offer_rate)}"
        )

    lines = ["<b>Network vs cold</b>", row("Through people", network), row("Cold", cold)]
    nr, cr = network.interview_rate, cold.interview_rate
    if nr is not None and cr is not None and network.applied >= 3 and cold.applied >= 3:
        verdict = "pays off" if nr > cr else ("does as well as cold" if nr == cr else "hasn't paid off yet")
        lines.append(f"\nBy interviews, your network {verdict}.")
    else:
        lines.append("\nA comparison needs at least 3 applications on each side.")
    lines.append(
        "Through people: a contact is linked as referrer (<code>/add … via Jane Doe</code>), "
        "or the source is referral or network."
    )
    return "\n".join(lines)


PARTNER_PRIVACY = (
    "<b>Partner:</b> only if you /partner invite someone and they accept. Each week they get your "
    "target (met or not), applications, interviews, offers and streak; company names only after "
    "<code>/partner share names</code>. /partner remove stops it at once."
)


def summary_text(name: str, week: dom.PartnerWeek) -> str:
    end = week.monday + timedelta(days=6)
    verdict = f"✅ target of {week.target} met" if week.met else f"target of {week.target} not met this time"
    streak = f"{week.streak} week{'s' if week.streak != 1 else ''} in a row" if week.streak else "starting fresh"
    lines = [
        f"📬 <b>{esc(name)}'s week</b> ({week.monday:%-d %b} – {end:%-d %b})",
        verdict,
        f"Applications: {week.applied} · Interviews: {week.interviews} · Offers: {week.offers}",
        f"Streak: {streak}",
    ]
    if week.companies:
        lines.append("Companies: " + ", ".join(esc(c) for c in week.companies))
    if week.asks_help:
        lines.append(f"\n🙏 {esc(name)} missed the target two weeks running and would welcome a kind nudge.")
    return "\n".join(lines)


GROUP_PRIVACY = (
    "<b>Groups:</b> only groups you /join (and confirm here). Each week the group sees your target "
    "met or not, applications that week and streak; never companies or notes. /leave stops it."
)


PRIVACY = (
    "<b>Contacts:</b> the people you add (names, notes, conversations, follow-ups) are kept in a "
    "second file for you, seen only by you; /forget deletes it too.\n\n" + PARTNER_PRIVACY + "\n\n" + GROUP_PRIVACY
)


def board_text(title: str, rows: list[dom.BoardRow]) -> str:
    lines = [f"📋 <b>{esc(title)}: this week</b>"]
    for row in dom.kind_order(rows):
        mark = "✅ target met" if row.met else "🌱 building up"
        streak = f", streak {row.streak}" if row.streak else ""
        lines.append(f"{esc(row.name)}: {mark} · {row.applied} sent{streak}")
    total = sum(r.applied for r in rows)
    lines.append(f"\nTogether: {total} application{'s' if total != 1 else ''} this week. Well done, everyone 💚")
    return "\n".join(lines)[:1500]


def people_line(due: list[dom.Contact], quiet: list[dom.Contact]) -> str:
    """The Monday line: follow-ups that are due and a few contacts to check in with."""
    lines = []
    if due:
        people = "person" if len(due) == 1 else "people"
        lines.append(f"⏰ {len(due)} {people} to get back to: " + ", ".join(esc(c.name) for c in due[:5]))
    if quiet:
        lines.append("👋 Time to check in? " + ", ".join(esc(c.name) for c in quiet))
    lines.append("Open /contacts to log a conversation or set a new follow-up.")
    return "\n".join(lines)
