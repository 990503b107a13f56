"""The typed CallbackContext: handlers reach services through it, never through globals."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from handlers.send_priority import BulkQueue
from services.container import Services


class BotData:
    """Application-wide data: the services, set in post_init, cleared in post_shutdown."""

    def __init__(self) -> None:
        self.services: Services | None = None
        # The follow-up panels waiting to be sent after first answers (handlers/checkins/answers).
        self.offers: BulkQueue | None = None


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to the services."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        """The running bot's services."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services used before post_init or after post_shutdown")
        return services

    @property
    def language(self) -> str:
        """The language of the person behind the update (from memory: no query)."""
        return self.services.languages.of(self._user_id)


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
