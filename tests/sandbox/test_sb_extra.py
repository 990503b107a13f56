"""Secondary methods: captions, bulk delete, pins, invite links, bot profile, menu button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox import BotAccount, Sandbox
from sandbox.errors import NOT_MODIFIED

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api


async def test_edit_caption_and_delete_messages(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    status, body = await api(
        "sendDocument",
        chat_id=alice.id,
        caption="v1",
        files={"document": ("a.txt", b"x", "text/plain")},
    )
    mid = body["result"]["message_id"]
    edited = await api.ok(
        "editMessageCaption",
        chat_id=alice.id,
        message_id=mid,
        caption="<u>v2</u>",
        parse_mode="HTML",
    )
    assert edited["caption"] == "v2" and edited["caption_entities"][0]["type"] == "underline"
    status, body = await api(
        "editMessageCaption",
        chat_id=alice.id,
        message_id=mid,
        caption="<u>v2</u>",
        parse_mode="HTML",
    )
    assert (status, body["description"]) == (400, NOT_MODIFIED)
    text = await api.ok("sendMessage", chat_id=alice.id, text="t")
    assert await api.ok(
        "deleteMessages", chat_id=alice.id, message_ids=[mid, text["message_id"], 999]
    )
    assert sb.sent(alice.chat_with(bot)) == []


async def test_pins_and_invite_links_need_admin(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot])
    sent = await api.ok("sendMessage", chat_id=group.id, text="rules")
    status, body = await api("pinChatMessage", chat_id=group.id, message_id=sent["message_id"])
    assert (status, body["description"]) == (
        400,
        "Bad Request: not enough rights to manage pinned messages in the chat",
    )
    status, body = await api("createChatInviteLink", chat_id=group.id)
    assert body["description"] == "Bad Request: not enough rights to manage chat invite links"
    await owner.set_bot_admin(group, bot)
    assert await api.ok("pinChatMessage", chat_id=group.id, message_id=sent["message_id"])
    assert group.pinned == [sent["message_id"]]
    assert await api.ok("unpinChatMessage", chat_id=group.id)
    assert group.pinned == []
    link = await api.ok("createChatInviteLink", chat_id=group.id, name="flyer", member_limit=5)
    assert link["invite_link"].startswith("https://t.me/+") and link["name"] == "flyer"
    assert link["creator"]["id"] == bot.id and link["member_limit"] == 5
    assert link["is_primary"] is False and link["is_revoked"] is False
    primary = await api.ok("exportChatInviteLink", chat_id=group.id)
    assert isinstance(primary, str) and primary.startswith("https://t.me/+")


async def test_bot_profile_and_menu_button(api: Api) -> None:
    assert await api.ok("getMyName") == {"name": "Test Bot"}
    assert await api.ok("setMyName", name="Buurtbot", language_code="nl")
    assert await api.ok("getMyName", language_code="nl") == {"name": "Buurtbot"}
    assert await api.ok("setMyDescription", description="Helps neighbours")
    assert await api.ok("getMyDescription") == {"description": "Helps neighbours"}
    assert await api.ok("getMyShortDescription") == {"short_description": ""}
    assert await api.ok("getChatMenuButton") == {"type": "commands"}
    assert await api.ok("setChatMenuButton", menu_button={"type": "default"})
    assert await api.ok("getChatMenuButton") == {"type": "default"}
    assert await api.ok("close") is True
