"""Files written so that a reader sees the old version or the new one, never half of either."""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_LOGGER = logging.getLogger(__name__)
#: Names that begin with this are half-made; whoever next holds the folder's lock may remove them.
TEMPORARY = ".tmp-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h


def read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same directory, flushed to disk, then `os.replace` over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write only when the bytes differ, so an unchanged build touches nothing. True if written."""
    if read_or_none(path) == data:
        return False
    write_atomic(path, data)
    return True


def temporary_name(folder: Path, name: str) -> Path:
    return folder / f"{TEMPORARY}{name}-{secrets.token_hex(4)}"


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link (no bytes copied, same time stamp), or a copy where the file system has none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source.resolve(), target)  # link(2) on Linux would link a symlink itself, not what it points to
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, target)


def replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` in one step: a new link beside it, renamed over it. Not for a real directory."""
    tmp = temporary_name(link.parent, link.name)
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def exchange(one: Path, other: Path) -> None:
    """Swap two names in one step (Linux `renameat2` with RENAME_EXCHANGE); OSError ENOSYS where there is none.

    The only way to put a symlink where a real directory is without a moment when neither is there."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available here", str(one))
    if renameat2(_AT_FDCWD, os.fsencode(one), _AT_FDCWD, os.fsencode(other), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(one), None, str(other))


def replace_with_symlink(path: Path, target: str) -> None:
    """Replace a real file or folder by a symlink (to the same bytes), with no moment when neither is there."""
    if path.is_symlink() or not path.is_dir():
        replace_symlink(path, target)
        return
    link = temporary_name(path.parent, path.name)
    os.symlink(target, link)
    try:
        exchange(link, path)
    except OSError as exc:
        if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            link.unlink()
            raise
        _LOGGER.warning("%s: cannot swap a folder for a link in one step here; it is missing for a moment", path)
        old = temporary_name(path.parent, path.name)
        os.rename(path, old)
        os.rename(link, path)
        link = old
    shutil.rmtree(link)  # the old folder, now under the temporary name


def visible_files(folder: Path, names: list[str]) -> list[str]:
    """Relative paths of the files reached through `names` in `folder`, links followed, hidden files left out."""
    found = []
    for name in names:
        path = folder / name
        if path.is_file():
            found.append(name)
        elif path.is_dir():
            inside = (p.relative_to(path) for p in path.rglob("*") if p.is_file())
            found += [f"{name}/{p.as_posix()}" for p in inside if not any(part.startswith(".") for part in p.parts)]
    return sorted(found)


def link_files(source: Path, target: Path, paths: list[str]) -> None:
    """Hard-link `paths` from `source` into the tree `target`, then make the whole tree survive a power cut."""
    target.mkdir(parents=True, exist_ok=True)
    for path in paths:
        link_or_copy(source / path, target / path)
    for folder in sorted(p for p in target.rglob("*") if p.is_dir()) + [target, target.parent]:
        fsync_dir(folder)


def remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def fsync_dir(folder: Path) -> None:
    """Make the names in `folder` (new files, a renamed link) survive a power cut, not only a killed process."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold an advisory lock on the folder itself (no lock file left behind); BlockingIOError if someone has it."""
    import fcntl  # POSIX only, like the symlinks this guards; imported here so that reading files works anywhere

    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)
