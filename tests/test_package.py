"""The wheel carries everything formgen needs at run time (templates, migrations)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_templates_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("formgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        p.relative_to(ROOT / "templates").as_posix()
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    }
    assert shipped, "no templates in the source tree"
    for template in shipped:
        assert f"formgen/templates/{template}" in names
    assert "formgen/migrations/env.py" in names
    assert "formgen/migrations/script.py.mako" in names
    migrations = {p.name for p in (ROOT / "formgen/migrations/versions").glob("*.py")}
    for name in migrations:
        assert f"formgen/migrations/versions/{name}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
