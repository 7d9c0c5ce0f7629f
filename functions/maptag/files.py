"""Every file maptag writes, written safely (docs/cli.md, "Files maptag writes").

- ``OutputFile``: a file maptag is told to write (a report, the outbox). A regular file or a
  new path is written next to its target and renamed over it when complete, so a failure
  never leaves half a file; a symlink is written through to its target; a device, a FIFO or
  ``-`` (stdout) is written directly, never replaced. New files honour the umask, an
  existing file keeps its mode.
- ``append_lines``: JSON lines appended under a lock; a write that fails part-way (disk full)
  is cut back to where it started, and a torn line left by a killed process is closed off
  before the next rows, so every later row stays readable.
- ``read_json_lines``: the tolerant reader: a line that is not JSON is skipped with a warning,
  never a refusal of the whole file.

Every write goes through ``os.write`` (the OS boundary the fault tests patch).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent runs there may interleave
    fcntl = None  # type: ignore[assignment]

STDOUT = "-"
_CHUNK = 1 << 16
_UMASK_LOCK = threading.Lock()
# /proc/<pid>/fd/N and /dev/fd/N name an open file descriptor (proc(5)).
_OPEN_FILE_LINK = re.compile(r"/(proc/[^/]+|dev)/fd/[0-9]+$")


def current_umask() -> int:
    """The process umask (Python 3.11 has no getter: set and restore it)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (it may write fewer than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class _FdWriter(io.RawIOBase):
    """A raw stream over a file descriptor whose writes are plain ``os.write`` calls."""

    def __init__(self, fd: int, *, owned: bool = True) -> None:
        super().__init__()
        self._fd = fd
        self._owned = owned

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return os.write(self._fd, data)

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def close(self) -> None:
        if not self.closed and self._owned:
            os.close(self._fd)
        super().close()


def _text(fd: int) -> IO[str]:
    return io.TextIOWrapper(io.BufferedWriter(_FdWriter(fd), _CHUNK), encoding="utf-8", newline="")


def _through_proc(path: Path) -> bool:
    """``/dev/stdout``, ``/dev/fd/N``: a link to a file another process opened, not a place to rename onto."""
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on a chain of symlinks
        if _OPEN_FILE_LINK.match(current):
            return True
        try:
            link = os.readlink(current)
        except OSError:
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    return False


class OutputFile:
    """A file maptag is told to write; opened at once (so a bad path fails before any work)."""

    def __init__(self, path: str | Path, *, private: bool = False) -> None:
        self.path = Path(path)
        self.to_stdout = str(path) == STDOUT
        self._temporary: Path | None = None
        self._target = self.path
        self._mode = 0o600
        if self.to_stdout:
            self.stream: IO[str] = sys.stdout
            return
        try:
            found = os.stat(self.path)  # follows symlinks: what is written is the target
        except FileNotFoundError:
            found = None
        if found is not None and stat.S_ISDIR(found.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(self.path))
        if found is not None and (not stat.S_ISREG(found.st_mode) or _through_proc(self.path)):
            # A device, FIFO or another process's stdout: write into it, never rename over it.
            self.stream = _text(os.open(self.path, os.O_WRONLY | os.O_APPEND))
            return
        # A regular file (through any symlinks) or a new path: rename a complete copy onto it.
        self._target = Path(os.path.realpath(self.path))
        if found is not None:
            self._mode = stat.S_IMODE(found.st_mode)
        else:
            self._mode = 0o600 if private else 0o666 & ~current_umask()
        handle, name = tempfile.mkstemp(
            prefix=f".{self._target.name}.", suffix=".part", dir=self._target.parent
        )
        self._temporary = Path(name)
        self.stream = _text(handle)

    def commit(self) -> None:
        """The content is complete: put it in place (or, written directly, flush it)."""
        if self.to_stdout:
            self.stream.flush()
            return
        try:
            self.stream.flush()
            if self._temporary is not None:
                fd = self.stream.fileno()
                os.fchmod(fd, self._mode)
                os.fsync(fd)
            self.stream.close()
            if self._temporary is not None:
                os.replace(self._temporary, self._target)
                self._temporary = None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Leave no trace of an incomplete write (a temporary copy is removed)."""
        if self.to_stdout:
            return
        with contextlib.suppress(OSError):
            self.stream.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None


@contextlib.contextmanager
def output_file(path: str | Path, *, private: bool = False) -> Iterator[IO[str]]:
    """``OutputFile`` as a block: committed when the block ends, discarded if it raises."""
    target = OutputFile(path, private=private)
    try:
        yield target.stream
    except BaseException:
        target.discard()
        raise
    target.commit()


def append_lines(path: Path, lines: Iterable[str]) -> int:
    """Append text lines (each without its newline); all of them, or none if a write fails.

    Returns how many lines were written. Raises OSError (the file is as it was before).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # two runs at once append whole rows, never interleaved
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        start = os.fstat(fd).st_size if regular else 0
        count = 0
        try:
            if regular and start and not _ends_with_newline(path, start):
                # A torn row from a killed run: close it off so it stays one skipped line.
                write_all(fd, b"\n")
            buffer = bytearray()
            for line in lines:
                buffer += line.encode("utf-8") + b"\n"
                count += 1
                if len(buffer) >= _CHUNK:
                    write_all(fd, bytes(buffer))
                    buffer.clear()
            if buffer:
                write_all(fd, bytes(buffer))
        except BaseException:
            if regular:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)  # back to the last complete row
            raise
        return count
    finally:
        os.close(fd)


def _ends_with_newline(path: Path, size: int) -> bool:
    with open(path, "rb") as existing:
        existing.seek(size - 1)
        return existing.read(1) == b"\n"


def read_json_lines(path: Path, warn: Callable[[str], None]) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each JSON line; blank lines are ignored, broken ones skipped
    with ``warn("<path>:<n>: ...")``. Raises OSError and UnicodeDecodeError as ``open`` does."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                warn(f"{path}:{number}: skipped a line that is not JSON (an interrupted write?)")
                continue
            yield number, value
