"""The README's previews (docs/previews) show the documents as they are printed now."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from PIL import Image

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "previews" / "make_previews.py"


def test_the_previews_are_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("make_previews", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, image in module.pictures().items():
        path = SCRIPT.parent / name
        assert path.is_file(), f"run {SCRIPT.name}: {name} is missing"
        with Image.open(path) as shipped:
            same = np.array_equal(np.asarray(shipped.convert("L")), np.asarray(image))
        assert same, f"{name} is out of date: run .venv/bin/python docs/previews/{SCRIPT.name}"
