"""Issue 9, defects 4, 8 (files, names, dates), 10, 11, 14 and 15: what formgen writes,
which names and dates it accepts, and that every accepted name prints."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from formgen import rules
from formgen.documents import render
from formgen.errors import OutputError, RenderError
from formgen.privacy import private_dir, write_private
from formgen.record.formid import Instance
from formgen.rules import Plan, Purpose

from .helpers.rendering import CONFIG, spec, text_of

ROOT = os.geteuid() == 0


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def one_line(exc: pytest.ExceptionInfo[OutputError]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message and "Errno" not in message, message
    return message


# --- Defect 4: only regular files are written ---------------------------------------


def _device(folder: Path) -> Path:
    """A character device like /dev/null, made in the test's folder so that a broken
    write_private cannot replace the system's own."""
    if not ROOT:
        return Path("/dev/null")  # without root, even a broken version cannot replace it
    node = folder / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return node


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "fifo")
    return folder / "fifo"


def _folder(folder: Path) -> Path:
    (folder / "sub").mkdir()
    return folder / "sub"


def _link_to_file(folder: Path) -> Path:
    (folder / "real.pdf").write_bytes(b"the real file")
    (folder / "link.pdf").symlink_to(folder / "real.pdf")
    return folder / "link.pdf"


def _dangling_link(folder: Path) -> Path:
    (folder / "dangling.pdf").symlink_to(folder / "nowhere.pdf")
    return folder / "dangling.pdf"


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_device, "a device"),
        (_fifo, "a FIFO"),
        (_folder, "a folder"),
        (_link_to_file, "a symbolic link"),
        (_dangling_link, "a symbolic link"),
    ],
    ids=["device", "fifo", "folder", "symlink", "dangling-symlink"],
)
def test_only_regular_files_are_replaced(
    tmp_path: Path, make: Callable[[Path], Path], kind: str
) -> None:
    target = make(tmp_path)
    before = os.lstat(target)
    listing = entries(tmp_path)
    with pytest.raises(OutputError) as exc:
        write_private(target, b"%PDF-1.7 personal data")
    message = one_line(exc)
    assert str(target) in message and kind in message
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode, after.st_size) == (
        before.st_ino,
        before.st_mode,
        before.st_size,
    )
    assert entries(tmp_path) == listing  # no temp file left behind
    if (tmp_path / "real.pdf").exists():
        assert (tmp_path / "real.pdf").read_bytes() == b"the real file"


def test_a_regular_file_is_replaced_atomically_and_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "forms.pdf"
    target.write_bytes(b"old")
    target.chmod(0o644)
    old_umask = os.umask(0)  # the mode must not depend on the caller's umask
    try:
        write_private(target, b"new")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert entries(tmp_path) == ["forms.pdf"]


def test_a_long_but_valid_name_still_gets_a_temp_file(tmp_path: Path) -> None:
    target = tmp_path / ("n" * 250 + ".pdf")  # 254 bytes: the limit is 255
    write_private(target, b"ok")
    assert target.read_bytes() == b"ok"


# --- Defect 8 (files): every failure is one line naming the path and the cause --------


@pytest.mark.parametrize(
    ("where", "cause"),
    [
        (lambda tmp: tmp / ("x" * 300 + ".pdf"), "the name is too long"),
        (lambda tmp: tmp / "file.txt" / "out.pdf", "a part of the path is a file"),
        (lambda tmp: tmp / "file.txt" / "deeper" / "out.pdf", "a part of the path is a file"),
        (lambda tmp: Path("/proc/formgen-test.pdf"), "does not accept new files|permission"),
        (lambda tmp: Path("/proc/version"), "does not accept new files|permission"),
        (lambda tmp: Path(""), "no file name"),
        (lambda tmp: tmp / "sub" / "..", "no file name"),
    ],
    ids=["300-chars", "parent-is-a-file", "ancestor-is-a-file", "proc", "proc-file", "empty", ".."],
)
def test_write_failures_are_one_line(
    tmp_path: Path, where: Callable[[Path], Path], cause: str
) -> None:
    (tmp_path / "file.txt").write_bytes(b"a file, not a folder")
    target = where(tmp_path)
    proc_before = Path("/proc/version").read_bytes()
    with pytest.raises(OutputError) as exc:
        write_private(target, b"data")
    message = one_line(exc)
    assert re.search(cause, message) and len(message) < 200, message
    assert entries(tmp_path) == ["file.txt"]
    assert Path("/proc/version").read_bytes() == proc_before


@pytest.fixture
def mount_tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """A tiny tmpfs of our own: a really full or really read-only file system."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        if not ROOT:
            pytest.skip("mounting a tmpfs needs root")
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_full_disk_keeps_the_old_file_and_no_temp(
    mount_tmpfs: Callable[[str], Path],
) -> None:
    disk = mount_tmpfs("size=64k")
    target = disk / "forms.pdf"
    write_private(target, b"the old declarations")
    with pytest.raises(OutputError) as exc:
        write_private(target, os.urandom(256 * 1024))
    message = one_line(exc)
    assert str(target) in message and "no space left" in message
    assert target.read_bytes() == b"the old declarations"
    assert entries(disk) == ["forms.pdf"]


def test_a_read_only_file_system_is_one_line(mount_tmpfs: Callable[[str], Path]) -> None:
    disk = mount_tmpfs("ro,size=64k")
    with pytest.raises(OutputError) as exc:
        write_private(disk / "forms.pdf", b"data")
    assert "read-only" in one_line(exc)
    with pytest.raises(OutputError) as exc:
        private_dir(disk / "output" / "scans")
    assert "read-only" in one_line(exc)


def _as_nobody(action: Callable[[], object]) -> str:
    """Run ``action`` in a child that has dropped root (root ignores permissions), and
    return the OutputError it raised (or what went wrong instead)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        result = "no error"
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            action()
        except OutputError as exc:
            result = f"OutputError: {exc}"
        except BaseException as exc:  # reported to the parent
            result = f"{type(exc).__name__}: {exc}"
        finally:
            os.write(write, result.encode("utf-8", "backslashreplace"))
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        result = pipe.read().decode()
    os.waitpid(pid, 0)
    return result


def test_permission_denied_is_one_line(tmp_path: Path) -> None:
    # Root ignores permissions: then a child drops to nobody, in a folder it can reach.
    top = Path(tempfile.mkdtemp(prefix="formgen-perm-")) if ROOT else tmp_path
    try:
        top.chmod(0o755)
        locked = top / "locked"
        locked.mkdir(mode=0o555)
        target = locked / "forms.pdf"
        if ROOT:
            result = _as_nobody(lambda: write_private(target, b"data"))
            assert result.startswith("OutputError: "), result
            message = result.removeprefix("OutputError: ")
        else:
            with pytest.raises(OutputError) as exc:
                write_private(target, b"data")
            message = one_line(exc)
        assert message == f"cannot write {target}: permission denied"
        assert entries(locked) == []
        result = _as_nobody(lambda: private_dir(locked / "a" / "b")) if ROOT else ""
        if ROOT:
            assert result == f"OutputError: cannot create the folder {locked / 'a' / 'b'}:" + (
                " permission denied"
            )
    finally:
        if ROOT:
            shutil.rmtree(top)


# --- Defect 14: every folder formgen creates is owner-only ----------------------------


def test_every_missing_folder_is_owner_only(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    old_umask = os.umask(0o022)
    try:
        write_private(tmp_path / "output" / "scans" / "r1" / "page.png", b"png")
    finally:
        os.umask(old_umask)
    for folder in ("output", "output/scans", "output/scans/r1"):
        assert stat.S_IMODE((tmp_path / folder).stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755  # not ours to change
    assert stat.S_IMODE((tmp_path / "output/scans/r1/page.png").stat().st_mode) == 0o600


def test_a_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "output").write_bytes(b"")
    with pytest.raises(OutputError) as exc:
        private_dir(tmp_path / "output")
    assert "it is a file, not a folder" in one_line(exc)


# --- Defects 15 and 8 (names): invisible characters and bytes that are not UTF-8 ------


@pytest.mark.parametrize(
    "char", ["\u202e", "\u200b", "\u200d", "\ufeff", "\u2066", "\u00ad", "\U000e0041"]
)
def test_format_characters_are_refused(char: str) -> None:
    with pytest.raises(ValueError, match=f"U\\+{ord(char):04X}") as exc:
        rules.check_name(f"Ann{char}a")
    message = str(exc.value)
    assert "invisible formatting character" in message and "--" not in message
    assert unicodedata.category(char) == "Cf"


def test_bytes_that_are_not_utf8_are_refused() -> None:
    typed = b"J\xfcrgen".decode("utf-8", "surrogateescape")  # what click makes of Latin-1
    with pytest.raises(ValueError, match=r"^name is not valid text \(UTF-8\)$"):
        rules.check_name(typed)
    with pytest.raises(ValueError, match=r"not valid text \(UTF-8\)"):
        rules.check_name("\udcff")


@pytest.mark.parametrize("name", ["Zoë", "Ελένη", "张伟", "محمد", "Anna 😀", "❤️ Jo"])
def test_names_in_any_script_are_accepted(name: str) -> None:
    assert rules.check_name(name) == name


# --- Defects 11 and 8 (dates): a sane window, and no overflow ---------------------------


@pytest.mark.parametrize("day", [dt.date(2000, 1, 1), dt.date(2026, 12, 1), dt.date(2100, 12, 31)])
def test_recording_dates_in_the_window_are_kept(day: dt.date) -> None:
    assert rules.check_recording_date(day) == day


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 1), dt.date(1999, 12, 31), dt.date(2101, 1, 1), dt.date(9999, 12, 31)]
)
def test_recording_dates_outside_the_window_are_refused(day: dt.date) -> None:
    with pytest.raises(ValueError, match="is not between 2000-01-01 and 2100-12-31"):
        rules.check_recording_date(day)


def test_the_window_never_overflows_the_configured_periods() -> None:
    for purpose in Purpose:
        assert rules.delete_by(rules.LAST_DATE, purpose) <= dt.date(2107, 12, 31)


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (dt.date(9999, 12, 15), rules.Period(4, "weeks")),
        (dt.date(9999, 6, 1), rules.Period(7, "years")),
        (dt.date(2026, 1, 1), rules.Period(10**10, "weeks")),
        (dt.date(2026, 1, 1), rules.Period(10**30, "years")),
    ],
    ids=["weeks-past-9999", "years-past-9999", "absurd-weeks", "absurd-years"],
)
def test_delete_by_never_overflows(day: dt.date, period: rules.Period) -> None:
    table = {purpose: period for purpose in Purpose}
    with pytest.raises(ValueError, match="falls after the year 9999"):
        rules.delete_by(day, Purpose.REFLECTION, table)


def test_add_months_refuses_the_calendars_end() -> None:
    with pytest.raises(ValueError, match="falls outside the years 1 to 9999"):
        rules.add_months(dt.date(9999, 12, 1), 1)
    with pytest.raises(ValueError, match="falls outside the years 1 to 9999"):
        rules.add_months(dt.date(1, 1, 1), -1)


# --- Defect 10: every accepted name prints ----------------------------------------------

PLAN = Plan(Purpose.ASSESSMENT)


@pytest.fixture
def weasyprint_log(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """What WeasyPrint logged so far (a ".notdef glyph" warning, a missing font)."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        yield lambda: [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]


def _colour_pixels(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        total = 0
        for page in document:
            rgb = page.render(scale=100 / 72).to_numpy()[..., :3].astype(int)
            total += int(((rgb.max(axis=2) - rgb.min(axis=2)) > 60).sum())
        return total
    finally:
        document.close()


def test_the_fonts_formgen_needs_are_installed() -> None:
    """Without them names in these scripts cannot print: install fonts-noto-core,
    fonts-noto-cjk and fonts-noto-color-emoji (see the README's set-up)."""
    assert render.unprintable("Ελένη Јован محمد שרה 张伟 김민준 さくら 😀👍🏽 ❤️") == []


def test_names_in_many_scripts_and_emoji_print(weasyprint_log: Callable[[], list[str]]) -> None:
    names = ["Anna 😀👍🏽", "张伟 Ελένη محمد", "Zoë ❤️ Kim"]
    specs = [spec(PLAN, "nl", "adult", name=n) for n in names]
    rendered = render.render(specs, Instance.create(), CONFIG)  # RenderError on .notdef
    assert weasyprint_log() == []
    text = " ".join(text_of(rendered.pdf))
    assert "Ελένη" in text and "张伟" in text and "Zoë" in text
    # The emoji drew in colour: a declaration is otherwise black on white.
    assert _colour_pixels(rendered.pdf) > 200


def _fonts_of(pdf: bytes) -> set[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_ordinary_text_stays_in_dejavu(weasyprint_log: Callable[[], list[str]]) -> None:
    """A colour emoji font named in the stack would draw digits and spaces (emoji
    characters too) as grey bitmaps and double the render time: only a real emoji
    may reach it."""
    specs = [spec(PLAN, lang, variant) for lang in ("nl", "en") for variant in ("adult", "parent")]
    rendered = render.render(specs, Instance.create(), CONFIG)
    assert weasyprint_log() == []
    assert {name.split("-", 1)[0] for name in _fonts_of(rendered.pdf)} == {"DejaVu"}
    assert _colour_pixels(rendered.pdf) == 0


def test_unprintable_reports_what_no_font_has() -> None:
    assert render.unprintable("Anna de Vries-O'Neil, 12 (x)") == []
    assert render.unprintable("Zoë 张伟 😀 ❤️ \u00a0\u3000") == []
    # A private-use and an unassigned code point: no font has them; each reported once.
    assert render.unprintable("A\ue000b\u0378c\ue000") == ["\ue000", "\u0378"]


def test_unprintable_agrees_with_weasyprint() -> None:
    """Over a spread of code points, exactly the characters ``unprintable`` reports are
    the ones WeasyPrint prints as ".notdef" (or, for private use, drops)."""
    sample = [
        chr(code)
        for code in range(0xA0, 0x30000, 211)
        if unicodedata.category(chr(code)) not in ("Cs", "Cc", "Cf", "Zl", "Zp", "Co")
    ]
    missing = set(render.unprintable("".join(sample)))
    assert missing and len(missing) < len(sample)
    body = "".join(f"<p>a{c}b</p>" for c in sample)
    html = f"<html><head><style>{_document_css()}</style></head><body>{body}</body></html>"
    notdef = set()
    from weasyprint import HTML

    with render.weasyprint_problems() as problems:
        HTML(string=html).write_pdf()
    for record in problems:
        assert record.getMessage().startswith(".notdef glyph"), record.getMessage()
        notdef.add(record.args[0])
    assert notdef == missing


def _document_css() -> str:
    html = (Path(render.template_dirs(CONFIG)[-1]) / "document.html").read_text()
    return html.split("<style>", 1)[1].split("</style>", 1)[0]


def test_an_unprintable_name_is_what_weasyprint_refuses(
    weasyprint_log: Callable[[], list[str]],
) -> None:
    name = "Ann\u0378"
    assert render.unprintable(name) == ["\u0378"]
    with pytest.raises(RenderError, match=r"\.notdef"):
        render.render([spec(PLAN, "en", "adult", name=name)], Instance.create(), CONFIG)
    assert any("U+0378" in m for m in weasyprint_log())


def test_unprintable_is_fast_after_the_first_call() -> None:
    render.unprintable("warm up ë")
    name = ("Ελένη 张伟 محمد Zoë 😀 " * 6)[:120]
    start = time.perf_counter()
    for _ in range(100):
        render.unprintable(name)
    assert (time.perf_counter() - start) / 100 < 0.005
