"""Scheduled interviews out as an iCalendar file (RFC 5545): one hour-long event per interview."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from bot.domain.models import JobApplication


def _ics_text(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> list[str]:
    """RFC 5545 folding: lines of at most 75 octets, continuations start with a space."""
    parts: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return [parts[0], *(" " + part for part in parts[1:])]


def _ics_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def interviews_ics(apps: Iterable[JobApplication], now: datetime, user_id: int) -> bytes:
    """An iCalendar file with one hour-long event per scheduled interview."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Funnelbot//Interviews//EN",
        "CALSCALE:GREGORIAN",
    ]
    for app in sorted(apps, key=lambda a: a.number):
        for moment in sorted(app.interviews):
            lines += [
                "BEGIN:VEVENT",
                f"UID:{user_id}-{app.number}-{_ics_stamp(moment)}@funnelbot",
                f"DTSTAMP:{_ics_stamp(now)}",
                f"DTSTART:{_ics_stamp(moment)}",
                "DURATION:PT1H",
                f"SUMMARY:{_ics_text(f'Interview: {app.company} — {app.role}')}",
            ]
            if app.link:
                lines.append(f"DESCRIPTION:{_ics_text(app.link)}")
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in _fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode("utf-8")
