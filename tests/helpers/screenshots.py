"""Where the browser tests put their screenshots.

By default a temporary folder, so a test run never changes the source tree; to refresh
the README's pictures run the browser tests with ``FORMGEN_SCREENSHOTS=docs/screenshots``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def folder() -> Path:
    chosen = os.environ.get("FORMGEN_SCREENSHOTS")
    path = (REPO / chosen) if chosen else Path(tempfile.gettempdir()) / "formgen-screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
