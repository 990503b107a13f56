"""Bot API errors with Telegram's exact codes, descriptions and parameters."""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class ApiError(Exception):
    """A Bot API failure rendered as Telegram's error JSON."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """Render the error exactly as Telegram's JSON body."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with the 'Bad Request: ' prefix Telegram uses."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """A 403 with the 'Forbidden: ' prefix Telegram uses."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 carrying parameters.retry_after in whole seconds (at least 1)."""
    seconds = max(1, int(retry_after))
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def chat_migrated(new_chat_id: int) -> ApiError:
    """A 400 telling the client the group became a supergroup."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


def chat_not_found() -> ApiError:
    """The 400 Telegram returns for a chat the bot cannot see."""
    return bad_request("chat not found")


def unauthorized() -> ApiError:
    """The 401 Telegram returns for an unknown token."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """The 404 Telegram returns for an unknown method or malformed token."""
    return ApiError(404, "Not Found")
