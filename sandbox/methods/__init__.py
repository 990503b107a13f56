"""Bot API method handlers; importing this package registers them all."""

from sandbox.methods import chats, commands, extra, files, messages, updates
from sandbox.methods.base import METHODS, Call, Reply

__all__ = [
    "METHODS",
    "Call",
    "Reply",
    "chats",
    "commands",
    "extra",
    "files",
    "messages",
    "updates",
]
