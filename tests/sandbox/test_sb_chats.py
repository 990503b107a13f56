"""Chats, members, commands, files and the 400/403 access errors."""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING

import aiohttp

from sandbox import BotAccount, Sandbox

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api


def png(width: int, height: int) -> bytes:
    """A valid, tiny grayscale PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def test_access_errors(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    stranger = sb.add_person("Stranger")
    status, body = await api("sendMessage", chat_id=stranger.id, text="hi")
    assert (status, body) == (
        403,
        {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot can't initiate conversation with a user",
        },
    )
    for chat_id in (987654321, -4999999999, "@nobody"):
        status, body = await api("sendMessage", chat_id=chat_id, text="hi")
        assert (status, body["description"]) == (400, "Bad Request: chat not found")
    owner = sb.add_person("Owner")
    group_without_bot = await owner.create_group("Private club")
    status, body = await api("sendMessage", chat_id=group_without_bot.id, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_leave_chat(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot])
    await api.updates()
    assert await api.ok("leaveChat", chat_id=group.id)
    [update] = await api.updates()
    assert update["my_chat_member"]["new_chat_member"]["status"] == "left"
    assert update["my_chat_member"]["from"]["id"] == bot.id
    status, body = await api("sendMessage", chat_id=group.id, text="hi")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot is not a member of the group chat",
    )
    assert group.messages[2].service["left_chat_member"]["id"] == bot.id
    await owner.send(group, "/start")
    assert await api.updates() == []


async def test_get_chat_and_members(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    owner = sb.add_person("Owner", "Z", username="own")
    member = sb.add_person("Member")
    group = await owner.create_group("Block B", [member], [bot])
    chat = await api.ok("getChat", chat_id=group.id)
    assert chat["id"] == group.id and chat["type"] == "group" and chat["title"] == "Block B"
    assert chat["accent_color_id"] == 0 and chat["max_reaction_count"] == 11
    assert set(chat["accepted_gift_types"]) == {
        "unlimited_gifts",
        "limited_gifts",
        "unique_gifts",
        "premium_subscription",
        "gifts_from_channels",
    }
    assert await api.ok("getChatMemberCount", chat_id=group.id) == 3
    creator = await api.ok("getChatMember", chat_id=group.id, user_id=owner.id)
    assert creator == {
        "user": {
            "id": owner.id,
            "is_bot": False,
            "first_name": "Owner",
            "last_name": "Z",
            "username": "own",
            "language_code": "en",
        },
        "status": "creator",
        "is_anonymous": False,
    }
    assert (await api.ok("getChatMember", chat_id=group.id, user_id=member.id))["status"] == (
        "member"
    )
    outsider = sb.add_person("Out")
    assert (await api.ok("getChatMember", chat_id=group.id, user_id=outsider.id))["status"] == (
        "left"
    )
    await owner.set_bot_admin(group, bot)
    me = await api.ok("getChatMember", chat_id=group.id, user_id=bot.id)
    assert me["status"] == "administrator" and me["can_delete_messages"] is True
    admins = await api.ok("getChatAdministrators", chat_id=group.id)
    assert sorted(a["status"] for a in admins) == ["administrator", "creator"]
    status, body = await api("getChatMember", chat_id=group.id, user_id=5)
    assert (status, body["description"]) == (400, "Bad Request: user not found")
    await owner.start(bot)
    private = await api.ok("getChat", chat_id=owner.id)
    assert (private["type"], private["first_name"], private["last_name"]) == (
        "private",
        "Owner",
        "Z",
    )
    assert await api.ok("getChatMemberCount", chat_id=owner.id) == 2


async def test_commands_per_scope_and_language(sb: Sandbox, api: Api, bot) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot])
    default = [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "Help"},
    ]
    dutch = [{"command": "start", "description": "Beginnen"}]
    group_cmds = [{"command": "alarm", "description": "Alarm"}]
    assert await api.ok("setMyCommands", commands=default)
    assert await api.ok(
        "setMyCommands", commands=dutch, language_code="nl", scope={"type": "all_private_chats"}
    )
    assert await api.ok(
        "setMyCommands", commands=group_cmds, scope={"type": "chat", "chat_id": group.id}
    )
    assert sb.commands(bot) == default
    assert sb.commands(bot, {"type": "all_private_chats"}, "nl") == dutch
    assert sb.commands(bot, {"type": "all_private_chats"}) == []
    assert sb.commands(bot, {"type": "chat", "chat_id": group.id}) == group_cmds
    assert await api.ok("getMyCommands") == default
    assert await api.ok("getMyCommands", scope={"type": "chat", "chat_id": group.id}) == (
        group_cmds
    )
    assert await api.ok("deleteMyCommands", scope={"type": "chat", "chat_id": group.id})
    assert sb.commands(bot, {"type": "chat", "chat_id": group.id}) == []
    status, body = await api(
        "setMyCommands", commands=[{"command": "Bad Cmd", "description": "x"}]
    )
    assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")
    status, body = await api(
        "setMyCommands", commands=default, scope={"type": "chat", "chat_id": -1}
    )
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_send_document_and_download(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    status, body = await api(
        "sendDocument",
        chat_id=str(alice.id),
        caption="<b>Report</b> attached",
        parse_mode="HTML",
        files={"document": ("report.csv", b"a,b\n1,2\n", "text/csv")},
    )
    assert status == 200, body
    result = body["result"]
    document = result["document"]
    assert document["file_name"] == "report.csv" and document["mime_type"] == "text/csv"
    assert document["file_size"] == 8 and document["file_id"] and document["file_unique_id"]
    assert result["caption"] == "Report attached"
    assert result["caption_entities"] == [{"offset": 0, "length": 6, "type": "bold"}]
    assert "text" not in result
    stored = sb.file(document["file_id"])
    assert (stored.filename, stored.mime_type, stored.data) == (
        "report.csv",
        "text/csv",
        b"a,b\n1,2\n",
    )
    assert sb.last_sent(alice.chat_with(bot)).document is stored
    info = await api.ok("getFile", file_id=document["file_id"])
    url = f"{sb.base_file_url}{bot.token}/{info['file_path']}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert await response.read() == b"a,b\n1,2\n"
    again = await api.ok("sendDocument", chat_id=alice.id, document=document["file_id"])
    assert again["document"]["file_id"] == document["file_id"]
    status, body = await api("sendDocument", chat_id=alice.id, document="nonsense")
    assert (status, body["description"]) == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )


async def test_send_photo(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    status, body = await api(
        "sendPhoto", chat_id=alice.id, files={"photo": ("map.png", png(400, 200), "image/png")}
    )
    assert status == 200, body
    sizes = body["result"]["photo"]
    assert [(s["width"], s["height"]) for s in sizes] == [(90, 45), (320, 160), (400, 200)]
    assert sb.file(sizes[-1]["file_id"]).data == png(400, 200)
    status, body = await api(
        "sendPhoto", chat_id=alice.id, files={"photo": ("x.png", b"not an image", "image/png")}
    )
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
