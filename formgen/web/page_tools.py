"""Small helpers of the page routes: a redirect after a post, an htmx request, a PDF to
download (rendered in a process of its own), and the fields of a posted form."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from formgen.web.auth import Person


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def attachment(data: bytes, filename: str) -> Response:
    """A PDF to download, from memory: nothing is written to the server's disk."""
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def pdf(request: Request, person: Person, method: str, *args: Any, **kwargs: Any) -> Any:
    """``person.fg.METHOD(*args, **kwargs)`` for a method that renders a PDF, in a
    rendering process (``rendering.Renderer``): it holds no lock the server needs."""
    return request.app.state.renderer(person.user, method, *args, **kwargs)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def flag(form: FormData, name: str) -> bool:
    return text(form, name) in ("on", "true", "1", "yes")


def whole_number(value: str) -> int | None:
    """A count typed in a form: ASCII digits only ("²" and "٣" are digits to
    ``str.isdigit`` but not to ``int``); empty is 0."""
    if not value:
        return 0
    return int(value) if re.fullmatch(r"[0-9]{1,6}", value) else None


def parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def not_found() -> HTTPException:
    """Raised: the error page's 404 (problems.http_error), as for a path that is no route."""
    return HTTPException(404)
