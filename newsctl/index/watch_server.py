"""``newsctl index --watch``: inotify keeps the index current, so commands skip the stat walk.

Without it, every ``search`` proves the index fresh by one ``stat`` per file (a file rewritten in
place changes nothing but its own inode): about 3 s of system time at a million posts. This is
git's answer to the same problem (``core.fsmonitor``): a long-lived process that the kernel
tells about every change, and that a command asks "is the index current?".

The watcher listens on an abstract Unix socket named after the archive root (Linux; nothing left
on disk when it dies). A client sends ``?``; the watcher then reads every inotify event already
queued (the kernel queues it before the write that caused it returns, so every write finished
before the question is among them), applies them to the index, and answers ``fresh <root>``.
A client (``newsctl.index.watch_client``) that cannot connect, gets another answer, or none
within its ``TIMEOUT`` checks the files itself, as it would without a watcher. Changes made
through a shared ``mmap`` are not reported by inotify (as for fsmonitor): such writers should
not rely on a watcher.
"""

from __future__ import annotations

import contextlib
import errno
import os
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newsctl.errors import NewsctlError
from newsctl.index.watch_client import address, answer

if TYPE_CHECKING:
    import socket
    import sqlite3

    from newsctl.index.refresh import Refresh

QUIET = 0.2  # seconds without events before the watcher applies what it saw on its own

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_ISDIR = 0x40000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC
MASK = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR
)  # fmt: skip
_EVENT = struct.Struct("iIII")
# Files whose change changes what every post of a site means: the whole archive is walked again.
_SITE_FILES = ("_config.yml", "_config.yaml", "_config.toml")


class WatchError(NewsctlError):
    """The watcher cannot run here."""


class Inotify:
    """The few inotify calls the watcher needs, through ctypes (no dependency)."""

    def __init__(self) -> None:
        import ctypes

        self.libc = ctypes.CDLL(None, use_errno=True)
        self.errno = ctypes.get_errno
        self.fd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise WatchError(f"cannot start inotify: {os.strerror(self.errno())}")
        self.folders: dict[int, str] = {}  # watch descriptor -> folder, relative to the root

    def add(self, root: Path, relative: str) -> bool:
        """Watch the folder ``relative``; True when it was not watched (a new folder, or one
        put in the place of a folder watched before: the old watch follows the old folder)."""
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(root / relative), MASK)
        if wd < 0:
            code = self.errno()
            if code == errno.ENOENT:
                return False  # gone meanwhile: the refresh that follows sees it gone
            hint = " (raise fs.inotify.max_user_watches)" if code == errno.ENOSPC else ""
            raise WatchError(f"cannot watch {root / relative}: {os.strerror(code)}{hint}")
        if self.folders.get(wd) == relative:
            return False
        for old in [old for old, folder in self.folders.items() if folder == relative]:
            self.forget(old)
        self.folders[wd] = relative
        return True

    def forget(self, wd: int) -> None:
        """Stop watching a folder that moved or went away (its events would name wrong paths)."""
        self.folders.pop(wd, None)
        self.libc.inotify_rm_watch(self.fd, wd)

    def read_into(self, changes: Changes) -> bool:
        """Add the events queued now to ``changes``; False when there were none."""
        any_event = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return any_event
            offset = 0
            while offset < len(data):
                wd, mask, _, length = _EVENT.unpack_from(data, offset)
                raw = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                changes.add(self.folders, wd, mask, os.fsdecode(raw))
                if mask & IN_IGNORED:
                    self.folders.pop(wd, None)  # the folder is gone; its number may be reused
                elif mask & (IN_MOVE_SELF | IN_DELETE_SELF):
                    self.forget(wd)  # ``mv _posts _posts_old``: the watch would follow _posts_old
                offset += _EVENT.size + length
                any_event = True


class Changes:
    """What the events since the last refresh call for: some paths, or the whole archive."""

    def __init__(self) -> None:
        self.paths: set[str] = set()
        self.everything = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.paths)

    def add(self, folders: dict[int, str], wd: int, mask: int, name: str) -> None:
        if mask & (IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) or wd not in folders:
            self.everything = True  # events were lost, or a watched folder went away
            return
        if name.startswith("."):
            return  # hidden entries are not part of a site (nor of the folder snapshot)
        if mask & IN_ISDIR or name in _SITE_FILES:
            self.everything = True  # a folder came or went, or a site's configuration changed
            return
        folder = folders[wd]
        self.paths.add(name if folder == "." else os.path.join(folder, name))


def watch(
    db: sqlite3.Connection,
    root: Path,
    *,
    jobs: int | None = None,
    report: Callable[[str], None] = lambda line: None,
) -> None:
    """Keep the index of ``root`` current, and answer commands, until the process is
    interrupted."""
    if not sys.platform.startswith("linux"):
        raise WatchError("newsctl index --watch needs Linux (inotify)")
    import socket

    from newsctl.index.refresh import refresh

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(address(root))
    except OSError as exc:
        server.close()
        if exc.errno == errno.EADDRINUSE:
            raise WatchError(f"{root}: another newsctl index --watch already watches this archive") from None
        raise WatchError(f"cannot listen for newsctl commands: {exc.strerror or exc}") from None
    notify = Inotify()
    from newsctl.parallel import close_in_workers

    for fd in (server.fileno(), notify.fd):  # else a worker outliving this process would hold the socket
        close_in_workers(fd)
    try:
        # Watches first, then a check: a change is then seen by the check, by an event, or both.
        # The folders the last refresh listed are in its snapshot; when the snapshot still holds
        # (checked after the watches exist), the index is current and nothing needs walking.
        for folder in _snapshot_folders(db):
            notify.add(root, folder)
        stats = refresh(db, root, jobs=jobs)
        # From now on the index holds changes the folder snapshot does not describe, and this
        # process may stop (or be killed) at any moment: a command without it must walk.
        _forget_snapshot(db)
        unwatched = [folder for folder in stats.folders if notify.add(root, folder)]
        # Folders the walk met before they were watched are walked again, now that they are.
        walks = int(not stats.quick)
        walks += _catch_up(db, root, notify, Changes(), jobs, report, everything=bool(unwatched) or not notify.folders)
        server.listen(16)
        server.setblocking(False)
        how = "the index was current" if not walks else f"walked the archive {walks} time{'s' if walks > 1 else ''}"
        report(f"watching {len(notify.folders)} folders of {root} ({how})")
        _serve(db, root, server, notify, jobs, report)
    finally:
        server.close()
        os.close(notify.fd)


def _snapshot_folders(db: sqlite3.Connection) -> list[str]:
    """The folders the last walk listed (those of its snapshot; the list a watcher keeps)."""
    import json

    from newsctl.index.schema import meta_value

    try:
        digests = json.loads(meta_value(db, "snapshot") or meta_value(db, "folders") or "{}")
    except ValueError:
        return []
    return sorted(digests) if isinstance(digests, (dict, list)) else []


def _forget_snapshot(db: sqlite3.Connection) -> None:
    """Keep the folder list for the next watcher, drop the digests no command may trust now."""
    import json

    folders = json.dumps(_snapshot_folders(db))  # ASCII: names that are not UTF-8 are escaped
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('folders', ?)", (folders,))
    db.execute("INSERT OR REPLACE INTO meta VALUES ('snapshot', '')")
    db.execute("COMMIT")


def _catch_up(
    db: sqlite3.Connection,
    root: Path,
    notify: Inotify,
    changes: Changes,
    jobs: int | None,
    report: Callable[[str], None],
    *,
    everything: bool = False,
) -> int:
    """Apply ``changes`` and every event queued meanwhile, until nothing is left; the number
    of walks of the whole archive that took."""
    from newsctl.index.refresh import refresh

    notify.read_into(changes)
    changes.everything |= everything
    walks = 0
    while changes:
        only = None if changes.everything else set(changes.paths)
        changes.paths.clear()
        changes.everything = False
        stats: Refresh = refresh(db, root, jobs=jobs, full=True, only=only, snapshot=False)
        walks += bool(stats.folders)
        new = [folder for folder in stats.folders if notify.add(root, folder)]
        if new:
            changes.everything = True  # files put into a new folder before it was watched
        notify.read_into(changes)
        if stats.added or stats.changed or stats.removed:
            how = ", walking the archive" if stats.folders else ""
            counts = f"added {stats.added}, changed {stats.changed}, removed {stats.removed}"
            report(f"{counts} in {stats.seconds:.2f} s{how}")
    return walks


def _serve(
    db: sqlite3.Connection,
    root: Path,
    server: socket.socket,
    notify: Inotify,
    jobs: int | None,
    report: Callable[[str], None],
) -> None:
    import select

    changes = Changes()
    clients: dict[int, tuple[socket.socket, bytes]] = {}
    last_event = 0.0
    while True:
        waiting = [notify.fd, server.fileno(), *clients]
        readable, _, _ = select.select(waiting, [], [], QUIET if changes else None)
        if notify.fd in readable and notify.read_into(changes):
            last_event = time.monotonic()
        if server.fileno() in readable:
            try:
                client, _ = server.accept()
                client.settimeout(5)
                clients[client.fileno()] = (client, b"")
            except OSError:
                pass
        asked = []
        for fd in [fd for fd in readable if fd in clients]:
            client, received = clients[fd]
            try:
                chunk = client.recv(64)
            except OSError:
                chunk = b""
            if not chunk:
                del clients[fd]
                client.close()
                continue
            received += chunk
            clients[fd] = (client, received)
            if b"\n" in received:
                asked.append(fd)
        if asked or (changes and time.monotonic() - last_event >= QUIET):
            _catch_up(db, root, notify, changes, jobs, report)
        for fd in asked:
            client, _ = clients.pop(fd)
            with contextlib.suppress(OSError):  # a client that gave up meanwhile
                client.sendall(answer(root))
            client.close()


def run_until_interrupted(function: Callable[[], None]) -> None:
    """Run ``function`` with SIGTERM turned into KeyboardInterrupt (systemd stops services so)."""
    import signal

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        function()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
