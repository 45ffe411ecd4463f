"""The people features' stores, opened once per application beside the repository.

They sit in ``bot_data`` under one key of their own (:data:`KEY`), reached only through
:func:`stores`; moving them into ``bot.context.Services`` later is a one-line change here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from telegram.ext import Application

from bot.context import BotContext, services
from storage.people import PeopleStore, SharedStore

KEY = "people"


@dataclass
class PeopleStores:
    contacts: PeopleStore  # data_dir/people/<user_id>.json
    shared: SharedStore  # data_dir/shared/invites.json and groups.json
    group_posts: dict[int, deque[datetime]] = field(default_factory=dict)  # per group, the last minute's posts


def stores(where: BotContext | Application[Any, Any, Any, Any, Any, Any]) -> PeopleStores:
    """The stores of this application (opened on first use)."""
    app = where.application if isinstance(where, BotContext) else where
    found = app.bot_data.get(KEY)
    if found is None:
        svc = services(app)
        data_dir, fsync = svc.settings.data_dir, svc.repo.fsync
        found = app.bot_data[KEY] = PeopleStores(PeopleStore(data_dir, fsync=fsync), SharedStore(data_dir, fsync=fsync))
    return cast(PeopleStores, found)
