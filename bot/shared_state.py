"""Each person's user_data shared by webhook workers, through PTB's persistence hooks.

Behind one reverse proxy, several webhook workers on PostgreSQL each handle the updates they
receive; the proxy cannot route by the Telegram user inside the body, so a chief's next
press in a wizard often lands on another worker. Before a handler runs, PTB asks
`refresh_user_data` for the sender's dict: it is replaced by what the database holds when
another worker wrote since. Right after the update is handled, `BotApplication` writes the
dict back — only when its bytes changed, so an answer press costs one read and no write.
Polling and a single process keep user_data in memory, without this class.

The dict is pickled: it is the bot's own data in its own database. A row that cannot be read
(an upgrade changed a draft's class) counts as empty. An empty dict deletes the row.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from services.user_states import UserStates

log = logging.getLogger(__name__)

UserData = dict[Any, Any]


class SharedUserData(BasePersistence[UserData, UserData, UserData]):
    """user_data in the database (table user_states); nothing else persisted."""

    def __init__(self) -> None:
        # PTB's own periodic run writes only what changed since (the bytes compare equal).
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=60,
        )
        # Set once the database is there (post_init); before, nothing is read or written.
        self.states: UserStates | None = None
        # Per person: the bytes this process last read or wrote (what the database holds).
        self._known: dict[int, bytes] = {}

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        """Before a handler: take over what another worker stored since."""
        if self.states is None:
            return
        stored = await self.states.load(user_id)
        known = self._known.get(user_id)
        if stored == known:
            return  # nothing new: the dict in memory is current
        user_data.clear()
        if stored is None:
            self._known.pop(user_id, None)  # finished, erased or expired elsewhere
            return
        self._known[user_id] = stored
        try:
            loaded = pickle.loads(stored)
        except Exception:
            log.warning("a stored conversation state could not be read: starting empty")
            return
        if isinstance(loaded, dict):
            user_data.update(loaded)
        else:
            log.warning("a stored conversation state was not a dict: starting empty")

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        """Store a person's dict if it changed since this process last read or wrote it."""
        if self.states is None:
            return
        if not data:
            if self._known.pop(user_id, None) is not None:
                await self.states.drop(user_id)
            return
        try:
            raw = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            log.error("a conversation state could not be stored (not picklable)")
            return
        if raw == self._known.get(user_id):
            return
        await self.states.save(user_id, raw)
        self._known[user_id] = raw

    async def drop_user_data(self, user_id: int) -> None:
        """Forget a person's dict (PTB's Application.drop_user_data)."""
        self._known.pop(user_id, None)
        if self.states is not None:
            await self.states.drop(user_id)

    async def get_user_data(self) -> dict[int, UserData]:
        """Nothing loaded up front: each person's dict is read before their update."""
        return {}

    # Not persisted: chat_data, bot_data, callback data, conversations.

    async def get_chat_data(self) -> dict[int, UserData]:
        return {}

    async def get_bot_data(self) -> UserData:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict[Any, Any]:
        return {}

    async def update_conversation(self, name: str, key: Any, new_state: object | None) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: UserData) -> None:
        return None

    async def update_bot_data(self, data: UserData) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: UserData) -> None:
        return None

    async def refresh_bot_data(self, bot_data: UserData) -> None:
        return None

    async def flush(self) -> None:
        """Nothing buffered: every write went straight to the database."""
        return None
