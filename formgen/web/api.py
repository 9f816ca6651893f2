"""The JSON API under /api/v1 for programs (spec section 7): bearer tokens, the CLI's
JSON shapes (spec section 6), problem+json errors, described by OpenAPI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from .auth import Person, page_person

router = APIRouter()
Caller = Annotated[Person, Depends(page_person)]


@router.get("/me", summary="The account the token belongs to")
def me(request: Request, person: Caller) -> dict[str, Any]:
    return person.user.as_dict()
