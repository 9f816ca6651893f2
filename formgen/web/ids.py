"""What an ID in a URL may look like, checked before the store is asked: a NUL byte or
a control character is an error on PostgreSQL, not a missing recording. A malformed ID
is refused as a bad value (422), the same on pages and in the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

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
UserId = Annotated[str, Path(pattern=ID, description="An account's ID")]
ItemId = Annotated[
    str,
    Path(pattern=ITEM, description="A review item: FORM-ID:clause, e.g. 7KQ2-M9XD-4:recording"),
]
ImageName = Annotated[str, Path(pattern=IMAGE)]
StepKey = Annotated[str, Path(pattern=STEP)]
