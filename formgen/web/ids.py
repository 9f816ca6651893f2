"""What a request may carry, checked before the store is asked: a NUL byte or another
control character is an error on PostgreSQL, not a missing recording. An ID in a URL
must match its pattern; no field, query or path may hold a control character (a
newline or tab in a text area aside). Either is a bad value (422), the same on pages
and in the API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.exceptions import RequestValidationError

# Opaque IDs: letters, digits and dashes (R-7KQ2M9, 7KQ2-M9XD-4, J-…, U-…).
ID = r"^[A-Za-z0-9-]{1,40}$"
OPTIONAL_ID = r"^([A-Za-z0-9-]{1,40})?$"  # a query's ID that may be left out
ITEM = r"^[A-Za-z0-9-]{1,40}:[A-Za-z0-9_-]{1,40}$"  # a review item: FORM-ID:clause
IMAGE = r"^[A-Za-z0-9_.-]{1,80}$"
STEP = r"^[A-Za-z0-9_-]{1,40}$"  # a checklist step's key
SECRET = r"^[A-Za-z0-9_.~-]{1,300}$"  # a link's secret (setup, online form)

RecordingId = Annotated[str, Path(pattern=ID, description="A recording's ID, e.g. R-7KQ2M9")]
FormId = Annotated[str, Path(pattern=ID, description="A form's ID, e.g. 7KQ2-M9XD-4")]
JobId = Annotated[str, Path(pattern=ID, description="A scan job's ID")]
AnswerId = Annotated[str, Path(pattern=ID, description="An online answer's ID, e.g. A-7KQ2M9")]
ParticipantId = Annotated[str, Path(pattern=ID, description="A participant's ID, e.g. P-7KQ2M9")]
UserId = Annotated[str, Path(pattern=ID, description="An account's ID")]
ItemId = Annotated[
    str,
    Path(pattern=ITEM, description="A review item: FORM-ID:clause, e.g. 7KQ2-M9XD-4:recording"),
]
ImageName = Annotated[str, Path(pattern=IMAGE)]
StepKey = Annotated[str, Path(pattern=STEP)]


# Cc but tab, line feed and carriage return (a text area's lines), and lone surrogates
# (a JSON escape that is no character): neither can be stored as text everywhere.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _strings(value: Any, where: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, where)
            yield from _strings(item, (*where, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*where, str(index)))


async def plain_text(request: Request) -> None:
    """FastAPI dependency of every route: refuse a control character anywhere in the
    path, the query, a posted form (field names, values, file names) or a JSON body."""
    sources: list[tuple[tuple[str, ...], str]] = [(("path",), request.scope["path"])]
    sources += [(("query", k), f"{k}={v}") for k, v in request.query_params.multi_items()]
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        for key, value in (await request.form()).multi_items():
            text = value if isinstance(value, str) else (value.filename or "")
            sources.append((("body", key), f"{key}={text}"))
    elif kind.startswith("application/json"):
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None  # FastAPI answers a body that is no JSON itself
        sources += list(_strings(body, ("body",)))
    found = [where for where, text in sources if CONTROL.search(text)]
    if found:
        raise RequestValidationError(
            [
                {"loc": where, "msg": "control characters are not allowed", "type": "value_error"}
                for where in found
            ]
        )
