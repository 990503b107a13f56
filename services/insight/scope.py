"""Which districts a person may look into: coordinators all, chiefs their own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, Need, resolve_district
from services.outcomes import DENIED, Denied, UnknownDistrict
from storage.models import District
from storage.queries import checkins, exports


async def visible_districts(
    session: AsyncSession, actor: Actor, name: str | None = None
) -> list[District] | Denied | UnknownDistrict:
    """The named district if the actor may see it, else all they may see, by name.

    Coordinators see every live district (and any one by name, archived too); chiefs their
    own. Key figures see no district's figures: their answers are theirs, the sums are not.
    """
    if name is not None and name.strip():
        found = await resolve_district(session, actor, name, Need.CHIEF)
        return found if isinstance(found, Denied | UnknownDistrict) else [found]
    if actor.is_coordinator:
        return await checkins.live_districts(session)
    own = await exports.chief_districts(session, actor.telegram_user_id)
    if not own:
        return DENIED
    # A chief whose every district is archived still sees those, rather than nothing.
    return [d for d in own if d.archived_at is None] or own
