"""A local Telegram Bot API server with simulated people, for end-to-end tests."""

from sandbox.actions import SandboxError
from sandbox.calllog import CallRecord
from sandbox.core import Sandbox
from sandbox.faults import Fault
from sandbox.limits import FloodLimits, Window, min_wall_time
from sandbox.models import BotAccount, CallbackAnswer, CallbackQuery, Chat, Message, StoredFile
from sandbox.people import Person, wait_answer

__all__ = [
    "BotAccount",
    "CallRecord",
    "CallbackAnswer",
    "CallbackQuery",
    "Chat",
    "Fault",
    "FloodLimits",
    "Message",
    "Person",
    "Sandbox",
    "SandboxError",
    "StoredFile",
    "Window",
    "min_wall_time",
    "wait_answer",
]
