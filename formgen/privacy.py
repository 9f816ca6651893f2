"""Files formgen writes hold personal data: create them readable by the owner only, write
them whole or not at all, and only ever as regular files (never through a symlink, never
over a device, a FIFO or a folder)."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path

from formgen.errors import OutputError
from formgen.words import N_

# One line per cause, in words a person knows; anything else falls back to strerror.
_CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EROFS: "the file system is read-only",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOENT: "no such folder",
    errno.ELOOP: "it is a symbolic link, not a regular file",
    errno.EEXIST: "a file of that name is in the way",
    errno.EIO: "input/output error",
}

_MKDIR = "cannot create the folder"
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _show(path: os.PathLike[str] | str) -> str:
    """The path on one line: control characters and undecodable bytes escaped, very long
    paths shortened in the middle."""
    text = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
    text = _UNSHOWABLE.sub(lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= 120 else f"{text[:70]}…{text[-45:]}"


def _fail(
    path: os.PathLike[str] | str,
    exc: OSError,
    cause: str | None = None,
    doing: str = "cannot write",
) -> OutputError:
    if cause is None:
        code = exc.errno or 0
        cause = _CAUSES.get(code) or (os.strerror(code).lower() if code else str(exc))
    return OutputError(N_("{doing} {path}: {cause}"), doing=doing, path=_show(path), cause=cause)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a file" if stat.S_ISREG(mode) else "a special file"


def private_dir(path: Path) -> Path:
    """Create ``path`` and every missing folder above it owner-only (0700); folders that
    exist already are left as they are. (``Path.mkdir(parents=True, mode=...)`` gives the
    mode to the last folder only; the others get 0777 minus the umask.)"""
    path = Path(path)
    missing: list[Path] = []
    try:
        probe = path
        while not os.path.lexists(probe) and probe != probe.parent:
            missing.append(probe)
            probe = probe.parent
        for folder in reversed(missing):
            try:
                os.mkdir(folder, 0o700)
            except FileExistsError:  # made meanwhile by another process: fine if a folder
                if not folder.is_dir():
                    raise
                continue
            os.chmod(folder, 0o700)  # the umask may have taken bits we want; never adds
        if not path.is_dir():
            mode = os.stat(path).st_mode
            raise _fail(path, OSError(), f"it is {_kind(mode)}, not a folder", _MKDIR)
    except OSError as exc:
        raise _fail(path, exc, doing=_MKDIR) from None
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write atomically (temp file, then rename) with mode 0600, so a reader never sees
    half a file and an interrupted or failed run leaves the old one intact. Only a regular
    file is ever replaced; anything else at ``path`` is refused and left untouched. Every
    failure is an ``OutputError`` of one line naming the path and the cause."""
    path = Path(path)
    if not path.name or path.name in (".", ".."):
        raise OutputError(
            N_("cannot write {path}: no file name given"), path=_show(path) or "an empty path"
        )
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        pass  # a new file; a missing folder is made below
    except OSError as exc:
        raise _fail(path, exc) from None
    else:
        # rename() would replace the entry itself: /dev/null or a FIFO would become a
        # file, a symlink would be swapped for one instead of writing where it points.
        if not stat.S_ISREG(mode):
            raise OutputError(
                N_("cannot write {path}: it is {kind}, not a file"),
                path=_show(path),
                kind=_kind(mode),
            )
    private_dir(path.parent)
    # A short random temp name: never one an attacker prepared (O_EXCL, O_NOFOLLOW), and
    # short enough that a long but valid target name still gets a temp file.
    import secrets  # here: `formgen --help` loads this module, and secrets costs 10 ms

    tmp = path.with_name(f".{path.name[:40]}.{secrets.token_hex(4)}.tmp")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileNotFoundError as exc:  # the folder exists: /proc and the like refuse files
        raise _fail(path, exc, f"{_show(path.parent)} does not accept new files") from None
    except OSError as exc:
        raise _fail(path, exc) from None
    try:
        try:
            os.fchmod(fd, 0o600)  # exactly 0600, whatever the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            # A full disk or a failing device may only show at flush: know before the
            # rename replaces a good old file with a short new one.
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _fail(path, exc) from None
        raise
    return path
