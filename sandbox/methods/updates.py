"""getMe, getUpdates and the webhook methods."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sandbox.errors import WEBHOOK_CONFLICT, ApiError, bad_request
from sandbox.methods.base import Call, Reply, method
from sandbox.serialize import me_json, ts
from sandbox.updates import DEFAULT_UPDATE_TYPES, WebhookConfig, normalize_allowed

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@method("getMe")
async def get_me(call: Call) -> dict[str, Any]:
    """getMe: the bot's User with can_join_groups etc."""
    return me_json(call.bot)


@method("getUpdates")
async def get_updates(call: Call) -> list[dict[str, Any]]:
    """getUpdates: long polling with offset, limit, timeout and allowed_updates."""
    queue = call.world.queues[call.bot.id]
    if queue.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)
    allowed = normalize_allowed(call.params.get_json("allowed_updates"))
    if allowed is not None:
        queue.allowed = allowed
    limit = min(100, max(1, call.params.get_int("limit", 100) or 100))
    timeout = max(0.0, call.params.get_float("timeout", 0.0) or 0.0)
    return await queue.poll(call.params.get_int("offset"), limit, timeout)


@method("setWebhook")
async def set_webhook(call: Call) -> Reply:
    """setWebhook: deliver updates by POST to a loopback URL with the secret header."""
    url = (call.params.get_str("url") or "").strip()
    if not url:
        return await delete_webhook(call)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if parts.hostname not in LOOPBACK:
        raise bad_request("bad webhook: the sandbox delivers webhooks to loopback addresses only")
    secret = call.params.get_str("secret_token")
    if secret is not None and secret != "" and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    queue = call.world.queues[call.bot.id]
    allowed = normalize_allowed(call.params.get_json("allowed_updates"))
    if allowed is not None:
        queue.allowed = allowed
    if call.params.get_bool("drop_pending_updates"):
        queue.drop_pending()
    max_connections = call.params.get_int("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("invalid max_connections specified")
    existing = queue.webhook
    queue.webhook = WebhookConfig(url, secret or None, max_connections)
    if existing is not None and existing.url == url:
        queue.webhook.last_error_date = existing.last_error_date
        queue.webhook.last_error_message = existing.last_error_message
    queue.end_poll()
    call.webhooks.start(call.bot)
    return Reply(True, "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(call: Call) -> Reply:
    """deleteWebhook: stop delivery; optionally drop pending updates."""
    queue = call.world.queues[call.bot.id]
    had = queue.webhook is not None
    queue.webhook = None
    await call.webhooks.stop(call.bot)
    if call.params.get_bool("drop_pending_updates"):
        queue.drop_pending()
    return Reply(True, "Webhook was deleted" if had else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> dict[str, Any]:
    """getWebhookInfo: url, pending_update_count and the last delivery error."""
    queue = call.world.queues[call.bot.id]
    hook = queue.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(queue.pending),
    }
    if hook is None:
        return info
    info["ip_address"] = "127.0.0.1"
    if hook.last_error_date is not None:
        info["last_error_date"] = ts(hook.last_error_date)
        info["last_error_message"] = hook.last_error_message or ""
    info["max_connections"] = hook.max_connections
    if queue.allowed != DEFAULT_UPDATE_TYPES:
        info["allowed_updates"] = sorted(queue.allowed)
    return info
