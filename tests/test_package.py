"""The wheel carries everything formgen needs at run time (templates, migrations), and
nothing of the tests' or benchmarks' own (the synthetic scans of tests/synth.py)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The file names in a wheel built from the source tree (one build, ~8 s)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("formgen-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_wheel_contains_templates_and_migrations(wheel_names: set[str]) -> None:
    names = wheel_names
    shipped = {
        p.relative_to(ROOT / "templates").as_posix()
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    }
    assert shipped, "no templates in the source tree"
    for template in shipped:
        assert f"formgen/templates/{template}" in names
    assert "formgen/record/migrations/env.py" in names
    assert "formgen/record/migrations/script.py.mako" in names
    migrations = {p.name for p in (ROOT / "formgen/record/migrations/versions").glob("*.py")}
    assert len(migrations) > 10, "the migrations are not where this test looks"
    for name in migrations:
        assert f"formgen/record/migrations/versions/{name}" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_wheel_leaves_out_test_helpers(wheel_names: set[str]) -> None:
    assert "formgen/scan/measuring.py" in wheel_names  # the scan package is shipped whole
    assert "formgen/web/templates/online.html" in wheel_names  # and the service's pages
    assert not [n for n in wheel_names if "synth" in n], "test helpers in the wheel"
    assert not [n for n in wheel_names if n.split("/")[0] in {"tests", "bench"}]
