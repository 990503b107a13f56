"""Fault injection: make the next N calls of a method fail or hang."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.errors import ApiError, too_many_requests

BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_DEFAULTS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Fault:
    """One injected failure rule; `remaining` counts down per matching call."""

    method: str
    remaining: int = 1
    error_code: int | None = None
    description: str | None = None
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None
    chat_id: int | None = None
    bot_id: int | None = None
    hang: float | None = None

    def matches(self, method: str, bot_id: int, chat_id: int | None) -> bool:
        """True when this rule applies to the call."""
        if self.remaining <= 0:
            return False
        if self.method not in ("*", method.lower()):
            return False
        if self.bot_id is not None and self.bot_id != bot_id:
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError | None:
        """The error to answer with (None: only hang, then run the call normally)."""
        if self.error_code is None:
            return None
        if self.error_code == 429:
            error = too_many_requests(self.retry_after or 1)
            if self.description:
                error.description = self.description
            return error
        description = self.description or _DEFAULTS.get(self.error_code, "Unknown error")
        parameters: dict[str, Any] | None = None
        if self.migrate_to_chat_id is not None:
            parameters = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return ApiError(self.error_code, description, parameters)

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON (control API)."""
        return dict(self.__dict__)


class FaultInjector:
    """Holds fault rules in order and hands out the first that matches a call."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Register a rule; the method name is case-insensitive."""
        fault.method = fault.method.lower()
        self.rules.append(fault)
        return fault

    def take(self, method: str, bot_id: int, chat_id: int | None) -> Fault | None:
        """Consume one use of the first matching rule."""
        if not self.rules:
            return None
        for fault in self.rules:
            if fault.matches(method, bot_id, chat_id):
                fault.remaining -= 1
                self.rules = [rule for rule in self.rules if rule.remaining > 0]
                return fault
        return None

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()
