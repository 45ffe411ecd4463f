"""PTB persistence for open questions: conversation states and the question's data, per user.

:class:`QuestionPersistence` is a :class:`telegram.ext.BasePersistence` that keeps only what an
open question needs to survive a restart: the state of the persistent ``ConversationHandler``
named ``question`` (``bot/handlers/questions.py``: the guided /add, a note, an interview lesson)
and PTB's ``user_data`` (the question's scratch: the half-filled draft, which application a note
is for, an import waiting for confirmation). Bot data, chat data and callback data are not
stored: TinyDB (``storage.Repository``) holds everything else. Each user's part is one small file
written through ``storage.conversations``.

When it is written: PTB hands changes over in ``Application.update_persistence``, which it runs
every ``update_interval`` seconds and at shutdown. A kill in between would lose a question the
bot had just asked, so ``bot/app.py`` also runs it right after every update is handled: a
question is on disk a moment after the user sees it. The write follows the send, so a kill in
that very moment still loses that one question (the answer is then taken as ordinary text, and
the user can ask again). Only users whose data changed are written: the store compares with what
it wrote last.

One write per user per pass: PTB hands a question's new state and its data over as separate
calls, in no fixed order (a set of coroutines, gathered). Writing each as it came left, for a
moment, a file with the new data and the old state; a kill then made the next answer go to the
previous question ("SRE" became the company). So the calls only change the record in memory and
:meth:`QuestionPersistence.write_handed_over` writes each changed user once, after the pass
(``bot/app.py``'s application runs it; ``flush`` at shutdown does too).
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.conversations import ConversationStore, Record

ConversationKey = tuple[int | str, ...]  # PTB's key: (chat id, user id) for our conversations
ConversationDict = MutableMapping[ConversationKey, object]

UPDATE_INTERVAL = 60.0
"""PTB's periodic flush stays as a backstop; every update is flushed anyway (see the module doc)."""


class QuestionPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Conversation states and ``user_data``, one JSON file per user; nothing else."""

    def __init__(self, store: ConversationStore) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=UPDATE_INTERVAL,
        )
        self.store = store
        self._records: dict[int, Record] | None = None
        self._handed_over: set[int] = set()  # users whose record changed since it was last written

    def _all(self) -> dict[int, Record]:
        if self._records is None:
            self._records = self.store.load()
        return self._records

    def _record(self, user_id: int) -> Record:
        return self._all().setdefault(user_id, {"states": {}, "data": {}})

    def write_handed_over(self) -> None:
        """Write every user whose question or data PTB handed over since the last call, once each.

        A user whose write fails stays pending (the next pass tries again) and the error is
        raised after the others were written."""
        failed: BaseException | None = None
        for user_id in sorted(self._handed_over):
            try:
                self.store.save(user_id, self._record(user_id))
            except Exception as error:  # disk full, say: keep it for the next pass
                failed = failed or error
            else:
                self._handed_over.discard(user_id)
        if failed is not None:
            raise failed

    # -- what PTB reads at start-up ------------------------------------------------------------

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {user_id: copy.deepcopy(r.get("data") or {}) for user_id, r in self._all().items() if r.get("data")}

    async def get_conversations(self, name: str) -> ConversationDict:
        found: ConversationDict = {}
        for record in self._all().values():
            entry = (record.get("states") or {}).get(name)
            if entry is not None:
                found[tuple(entry["key"])] = entry["state"]
        return found

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    # -- what PTB hands over -------------------------------------------------------------------

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        user_id = int(key[-1])  # (chat id, user id): questions are asked in private chats only
        states: dict[str, Any] = self._record(user_id).setdefault("states", {})
        if new_state is None:
            if states.pop(name, None) is None:
                return
        else:
            states[name] = {"key": list(key), "state": new_state}
        self._handed_over.add(user_id)

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        self._record(user_id)["data"] = data
        self._handed_over.add(user_id)

    async def drop_user_data(self, user_id: int) -> None:
        self._all().pop(user_id, None)
        self._handed_over.discard(user_id)
        self.store.forget(user_id)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def flush(self) -> None:
        """At shutdown, after PTB's last pass: anything still unwritten goes to disk."""
        self.write_handed_over()

    # -- not stored ----------------------------------------------------------------------------

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Chat data is not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Chat data is not stored."""

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Bot data (the services) is built at start-up, never stored."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Bot data is not stored."""

    async def update_callback_data(self, data: Any) -> None:
        """Callback data is not stored (ours is plain strings)."""
