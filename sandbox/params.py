"""Request parameters as Telegram reads them: query string, form, multipart or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from sandbox.errors import ApiError, bad_request


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Typed access to Bot API parameters; strings are coerced the way Telegram does."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Merge query-string parameters with the body (form, multipart or JSON)."""
        values: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except (ValueError, UnicodeDecodeError):
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                values.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form: MultiDictProxy[Any] = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        values[key] = Upload(value.filename, value.content_type, value.file.read())
                    else:
                        values[key] = value
        return cls(values)

    def __contains__(self, name: str) -> bool:
        return name in self.values and self.values[name] not in (None, "")

    def raw(self, name: str) -> Any:
        """The value as received, or None."""
        return self.values.get(name)

    def get_str(self, name: str, default: str | None = None) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, Upload):
            raise bad_request(f'parameter "{name}" must be a string')
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter; numbers arrive as strings in forms."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(float(value)) if isinstance(value, float) else int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str, default: float | None = None) -> float | None:
        """A float parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        """A boolean parameter: true/false, 1/0 as Telegram accepts."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def get_json(self, name: str, error: str | None = None) -> Any:
        """A complex parameter: a JSON-encoded string in forms, a native value in JSON bodies."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                detail = error or f"can't parse {name} JSON object"
                raise ApiError(400, f"Bad Request: {detail}") from None
        return value

    def upload(self, name: str) -> Upload | None:
        """An uploaded file part, if the parameter is one (attach:// supported)."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value[len("attach://") :])
        return value if isinstance(value, Upload) else None

    def loggable(self) -> dict[str, Any]:
        """The parameters with uploads replaced by a short description (for the call log)."""
        result: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, Upload):
                result[key] = {"filename": value.filename, "size": len(value.data)}
            else:
                result[key] = value
        return result
