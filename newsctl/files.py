"""Writing files so that a reader, a crash or Ctrl-C never leaves half of one.

Every file newsctl writes into an archive (a fixed post, a converted one) is written to a
temporary file beside it and renamed over the target: the target holds the old content or the
complete new one. The temporary files are named ``.newsctl-*.tmp``, hidden from Jekyll and from
newsctl's own discovery.
"""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache

TEMP_PREFIX = ".newsctl-"
TEMP_SUFFIX = ".tmp"


def write_atomic(path: str, data: bytes, *, mode: int | None = None, sync: bool = True) -> None:
    """Replace (or create) ``path`` with ``data``: the old file or the complete new one, never
    half of it; missing folders are created.

    ``mode`` is the new file's permission bits; by default those of the file replaced, or what a
    new file gets (0o666 less the umask) when there is none. ``sync`` flushes the data to disk
    before the rename (so a crash cannot leave an empty file where a post was); outputs written
    by the thousand may skip it.
    """
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = new_file_mode()
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = _temporary_file(directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _temporary_file(directory: str) -> tuple[int, str]:
    """A new temporary file in ``directory`` (made when missing): its descriptor and path."""
    import tempfile  # imports random and more: only commands that write pay for it

    try:
        return tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=directory)
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        return tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=directory)


@lru_cache(maxsize=1)
def new_file_mode() -> int:
    """The permission bits a file created now gets: 0o666 less the umask (read once)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
