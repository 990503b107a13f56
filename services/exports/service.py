"""The export service: check the request, stream rows into a file, log it in the audit log."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import aclosing
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.checkins.scale import DEFAULT_SCALE, Scale
from services.exports.answers import answers_plan
from services.exports.audit_export import audit_plan
from services.exports.files import PartFile, reason, reserve
from services.exports.filters import ExportFilter, ExportRequest, resolve
from services.exports.formats import open_writer
from services.exports.outcomes import Exported, ExportOutcome, NoPseudonymKey, WriteFailed
from services.exports.plan import Plan, Rows
from services.exports.pseudonyms import Pseudonyms
from services.exports.summaries import summaries_plan
from services.exports.writers import RowWriter
from services.ports import Clock, Texts
from storage.queries import audit
from storage.uow import UnitOfWorkFactory


class ExportService:
    """Export answers, per-district summaries or the audit log, for the chat and the CLI."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        tz: ZoneInfo,
        *,
        pseudonym_key: bytes | None,
        min_respondents: int,
        texts: Texts,
        language: str = "nl",
        scale: Scale = DEFAULT_SCALE,
    ) -> None:
        self._uow, self._clock, self._tz, self._scale = uow, clock, tz, scale
        # Scale labels in the export come from the catalogs, in this language.
        self._texts, self._language = texts, language
        self._key = pseudonym_key
        # From settings.export.min_respondents: summaries blank the figures of every row with
        # fewer respondents, unless the request names another k (the command line's option).
        self.min_respondents = min_respondents

    async def export(
        self,
        actor: Actor | None,
        request: ExportRequest,
        output: Path,
        language: str | None = None,
    ) -> ExportOutcome:
        """Write the export to `output` if the actor may; actor None is the command line.

        language: the reader's (an export from the chat): the labels, and in CSV and XLSX
        the column headers and sheet name, are in it. None (the command line): labels in the
        configured language, headers the stable column codes (JSON Lines always has those).

        The file appears under its name only when complete, and only after its audit entry
        is committed: there is never an export that the audit log does not know about.
        """
        if request.kind == "answers" and not self._key:
            return NoPseudonymKey()
        async with self._uow.read_only() as uow:
            allowed = await resolve(uow.session, actor, request, self._tz)
            if not isinstance(allowed, ExportFilter):
                return allowed
            part = await asyncio.to_thread(reserve, output)
            if not isinstance(part, PartFile):
                return part
            try:
                rows = await self._write(uow.session, request, allowed, part, language)
            except OSError as exc:
                await asyncio.to_thread(part.discard)
                return WriteFailed(part.target, reason(exc))
            except BaseException:
                await asyncio.to_thread(part.discard)
                raise
        # Its own transaction, after the read one ended: on SQLite both would want the lock.
        try:
            async with self._uow() as uow:
                audit.record(
                    uow.session,
                    at=self._clock.now(),
                    actor_telegram_id=None if actor is None else actor.telegram_user_id,
                    action=f"export.{request.kind}",
                    subject="cli" if actor is None else "chat",
                    details=_details(request, allowed, rows, part.target, self._k(request)),
                )
                await uow.commit()
            await asyncio.to_thread(part.publish)
        except OSError as exc:
            await asyncio.to_thread(part.discard)
            return WriteFailed(part.target, reason(exc))
        except BaseException:
            await asyncio.to_thread(part.discard)
            raise
        return Exported(part.target, request.kind, request.format, rows, allowed.names)

    def _k(self, request: ExportRequest) -> int:
        """The k of small-group suppression: the request's, else the configured one."""
        return request.min_respondents or self.min_respondents

    async def _plan(
        self, s: AsyncSession, request: ExportRequest, f: ExportFilter, language: str
    ) -> Plan:
        if request.kind == "audit":
            return audit_plan(f.window, self._tz)
        if request.kind == "summaries":
            return await summaries_plan(s, f.window, self._scale, self._tz, self._k(request))
        assert self._key is not None
        pseudonyms = Pseudonyms(self._key)
        return answers_plan(
            f.window, f.names, pseudonyms, self._scale, self._tz, self._texts, language
        )

    async def _write(
        self,
        s: AsyncSession,
        request: ExportRequest,
        f: ExportFilter,
        part: PartFile,
        language: str | None,
    ) -> int:
        plan = await self._plan(s, request, f, language or self._language)
        columns, title = plan.columns, plan.title
        if language is not None and request.format != "jsonl":
            columns, title = (
                self._headers(columns, language),
                self._texts(f"export.sheet.{title}", language),
            )
        writer = await asyncio.to_thread(
            open_writer, request.format, part.path, columns, title, plan.kinds
        )
        count = 0
        try:
            async with aclosing(plan.batches(s)) as batches:
                async for batch in batches:
                    # Shaping and writing run in a thread, batch by batch, so a large export
                    # from the chat does not stall the bot's event loop.
                    count += await asyncio.to_thread(_put, writer, partial(plan.shape, batch))
            count += await asyncio.to_thread(_put, writer, plan.rest)
            await asyncio.to_thread(writer.finish)
        except BaseException:
            await asyncio.to_thread(writer.abort)
            raise
        return count

    def _headers(self, columns: tuple[str, ...], language: str) -> tuple[str, ...]:
        """The column headers in a reader's language; a count per level is headed by its label."""
        headers = []
        for column in columns:
            code = column.removeprefix("level_")
            if code != column and code.isdigit():
                headers.append(self._texts(self._scale.label_key(int(code)), language))
            else:
                headers.append(self._texts(f"export.column.{column}", language))
        return tuple(headers)


def _put(writer: RowWriter, rows_of: Callable[[], Rows]) -> int:
    rows = rows_of()
    writer.write(rows)
    return len(rows)


def _details(
    request: ExportRequest, f: ExportFilter, rows: int, path: Path, k: int
) -> dict[str, Any]:
    """What the audit log keeps about an export: the filter, the format, names, the count."""
    return {
        "kind": request.kind,
        "format": request.format,
        "since": None if request.since is None else request.since.isoformat(),
        "until": None if request.until is None else request.until.isoformat(),
        "districts": list(f.districts) or "all",
        "names": f.names,
        "min_respondents": k if request.kind == "summaries" else None,
        **({"practice": True} if f.window.practice else {}),
        "rows": rows,
        "file": path.name,
    }
