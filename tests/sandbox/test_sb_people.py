"""Simulated people: groups, privacy mode, membership, blocking, migration, edits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from sandbox import BotAccount, Sandbox, SandboxError

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api


def texts(updates: list[dict[str, Any]]) -> list[str | None]:
    """Texts of the message updates."""
    return [u["message"].get("text") for u in updates if "message" in u]


def kinds(updates: list[dict[str, Any]]) -> list[str]:
    """The update type of each update."""
    return [next(k for k in u if k != "update_id") for u in updates]


async def test_group_creation_updates(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    owner = sb.add_person("Owner", username="owner")
    member = sb.add_person("Member")
    group = await owner.create_group("Street 12", [member], [bot])
    assert group.id < 0 and group.type == "group" and group.member_count == 3
    updates = await api.updates()
    assert kinds(updates) == ["my_chat_member", "message"]
    mcm = updates[0]["my_chat_member"]
    assert mcm["chat"] == {
        "id": group.id,
        "title": "Street 12",
        "type": "group",
        "all_members_are_administrators": True,
    }
    assert mcm["from"]["id"] == owner.id
    assert mcm["old_chat_member"]["status"] == "left"
    assert mcm["new_chat_member"] == {
        "user": {"id": bot.id, "is_bot": True, "first_name": "Test Bot", "username": "test_bot"},
        "status": "member",
    }
    assert updates[1]["message"]["group_chat_created"] is True
    super_group = await owner.create_group("Big", bots=[bot], supergroup=True)
    assert str(super_group.id).startswith("-100") and len(str(super_group.id)) == 14
    assert (await api.updates())[1]["message"]["supergroup_chat_created"] is True


async def test_privacy_mode_filters_group_messages(sb: Sandbox, api: Api, bot) -> None:
    other = sb.add_bot("77:other", "other_bot")
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot, other])
    await api.updates()
    await owner.send(group, "just chatting")
    await owner.send(group, "/help")
    await owner.send(group, "/vote@test_bot yes")
    await owner.send(group, "/vote@other_bot no")
    await owner.send(group, "hello /help in the middle")
    bot_message = await api.ok("sendMessage", chat_id=group.id, text="question?")
    question = group.messages[bot_message["message_id"]]
    await owner.reply(question, "an answer")
    other_message = sb.world.add_message(group, other.user, text="from the other bot")
    await owner.reply(other_message, "reply to other")
    await sb.add_person("New").join(group)
    updates = await api.updates()
    assert texts(updates) == ["/help", "/vote@test_bot yes", "an answer", None]
    assert updates[2]["message"]["reply_to_message"]["message_id"] == question.message_id
    assert "new_chat_members" in updates[3]["message"]
    other_updates = sb.pending_updates(other)
    assert [u["message"].get("text") for u in other_updates if "message" in u] == [
        None,
        "/help",
        "/vote@other_bot no",
        "reply to other",
        None,
    ]


async def test_privacy_off_and_admin_bots_see_everything(sb: Sandbox, api: Api, bot) -> None:
    loud = sb.add_bot("88:loud", "loud_bot", privacy_mode=False)
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot, loud])
    await owner.send(group, "plain text")
    assert "plain text" in [
        u["message"].get("text") for u in sb.pending_updates(loud) if "message" in u
    ]
    await api.updates()
    assert texts(await api.updates()) == []
    await owner.set_bot_admin(group, bot)
    await owner.send(group, "now visible")
    assert texts(await api.updates()) == ["now visible"]


async def test_private_chat_gets_everything(sb: Sandbox, api: Api, bot) -> None:
    alice = sb.add_person("Alice")
    await alice.send(bot, "hi without start")
    first = await alice.send(bot, "second")
    await alice.reply(first, "a reply")
    assert texts(await api.updates()) == ["hi without start", "second", "a reply"]


async def test_person_edit_produces_edited_message(sb: Sandbox, api: Api, bot) -> None:
    alice = sb.add_person("Alice")
    original = await alice.send(bot, "/report typo")
    await alice.edit(original, "/report fixed")
    updates = await api.updates()
    assert kinds(updates) == ["message", "edited_message"]
    edited = updates[1]["edited_message"]
    assert edited["text"] == "/report fixed" and edited["message_id"] == original.message_id
    assert isinstance(edited["edit_date"], int)
    assert original.history == ["/report typo", "/report fixed"]


async def test_add_and_remove_bot(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G")
    await owner.add_bot(group, bot)
    updates = await api.updates()
    assert kinds(updates) == ["my_chat_member", "message"]
    joined = updates[1]["message"]
    assert joined["new_chat_members"] == [
        {"id": bot.id, "is_bot": True, "first_name": "Test Bot", "username": "test_bot"}
    ]
    assert joined["new_chat_member"]["id"] == bot.id and joined["from"]["id"] == owner.id
    assert (await api.ok("sendMessage", chat_id=group.id, text="hi"))["chat"]["id"] == group.id
    await owner.remove_bot(group, bot)
    updates = await api.updates()
    assert kinds(updates) == ["my_chat_member", "message"]
    change = updates[0]["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "member",
        "left",
    )
    assert updates[1]["message"]["left_chat_member"]["id"] == bot.id
    status, body = await api("sendMessage", chat_id=group.id, text="still here?")
    assert (status, body["description"]) == (403, "Forbidden: bot was kicked from the group chat")


async def test_removal_from_supergroup_is_kicked(sb: Sandbox, api: Api, bot) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot], supergroup=True)
    await owner.remove_bot(group, bot)
    change = (await api.updates())[2]["my_chat_member"]
    assert change["new_chat_member"] == {
        "user": change["new_chat_member"]["user"],
        "status": "kicked",
        "until_date": 0,
    }
    status, body = await api("sendMessage", chat_id=group.id, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )


async def test_join_and_leave_service_messages(sb: Sandbox, api: Api, bot) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot])
    guest = sb.add_person("Guest")
    await guest.join(group, invited_by=owner)
    await guest.leave(group)
    updates = await api.updates()
    joined, left = updates[2]["message"], updates[3]["message"]
    assert joined["new_chat_members"][0]["id"] == guest.id and joined["from"]["id"] == owner.id
    assert left["left_chat_member"]["id"] == guest.id and left["from"]["id"] == guest.id
    assert group.status_of(guest.id) == "left"
    with pytest.raises(SandboxError):
        await guest.send(group, "I left")


async def test_block_and_unblock(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    await alice.block(bot)
    updates = await api.updates()
    change = updates[1]["my_chat_member"]
    assert change["chat"]["type"] == "private" and change["from"]["id"] == alice.id
    assert change["old_chat_member"]["status"] == "member"
    assert change["new_chat_member"] == {
        "user": {"id": bot.id, "is_bot": True, "first_name": "Test Bot", "username": "test_bot"},
        "status": "kicked",
        "until_date": 0,
    }
    status, body = await api("sendMessage", chat_id=alice.id, text="come back")
    assert (status, body) == (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    with pytest.raises(SandboxError):
        await alice.send(bot, "blocked people can't write")
    await alice.unblock(bot)
    change = (await api.updates())[0]["my_chat_member"]
    assert change["new_chat_member"]["status"] == "member"
    assert (await api.ok("sendMessage", chat_id=alice.id, text="welcome back"))["text"]


async def test_migration_to_supergroup(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    owner = sb.add_person("Owner")
    member = sb.add_person("Member")
    group = await owner.create_group("Neighbours", [member], [bot])
    await api.updates()
    supergroup = await owner.migrate(group)
    assert str(supergroup.id).startswith("-100") and supergroup.title == "Neighbours"
    assert supergroup.member_count == 3 and supergroup.status_of(owner.id) == "creator"
    updates = await api.updates()
    assert updates[0]["message"]["migrate_to_chat_id"] == supergroup.id
    assert updates[0]["message"]["chat"]["id"] == group.id
    assert updates[1]["message"]["migrate_from_chat_id"] == group.id
    assert updates[1]["message"]["chat"] == {
        "id": supergroup.id,
        "title": "Neighbours",
        "type": "supergroup",
    }
    status, body = await api("sendMessage", chat_id=group.id, text="old id")
    assert (status, body) == (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": {"migrate_to_chat_id": supergroup.id},
        },
    )
    sent = await api.ok("sendMessage", chat_id=supergroup.id, text="new id")
    assert sent["chat"]["type"] == "supergroup"
    await member.send(supergroup, "/hello")
    assert texts(await api.updates()) == ["/hello"]


async def test_deep_link_payload_validation(sb: Sandbox, bot: BotAccount) -> None:
    alice = sb.add_person("Alice")
    with pytest.raises(SandboxError):
        await alice.start(bot, "spaces are not allowed")
    message = await alice.start(bot, "abc_DEF-1")
    assert message.text == "/start abc_DEF-1"
    assert message.entities == [{"offset": 0, "length": 6, "type": "bot_command"}]
