"""The question every command asks ``newsctl index --watch``: is the index current?

See ``newsctl.index.watch_server`` for the watcher and its protocol. This side is kept apart,
with the smallest imports, because every ``search``, ``list`` and ``stats`` asks it before
trusting the index; it never imports the server (nor the refresh the server runs).
"""

from __future__ import annotations

import os
import struct
import sys
import zlib
from pathlib import Path

TIMEOUT = 30.0  # seconds a client waits for an answer (a watcher may be applying a large change)


def address(root: Path) -> bytes:
    """The abstract socket name of the watcher of ``root`` (one per archive and machine)."""
    key = str(root).encode("utf-8", "surrogateescape")
    return b"\0newsctl-watch:" + f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}".encode()


def answer(root: Path) -> bytes:
    """What the watcher of ``root`` says when the index holds every change asked about."""
    return b"fresh " + str(root).encode("utf-8", "surrogateescape") + b"\n"


def fresh(root: Path, timeout: float = TIMEOUT) -> bool:
    """True when a watcher of ``root`` runs and says the index holds every change made before
    this call; False (check the files yourself) otherwise."""
    found = _talk(root, timeout, b"?\n")
    return found is not None and found[1] == answer(root)


def watcher_pid(root: Path) -> int | None:
    """The process id of the watcher of ``root`` run by this user, or None when none listens."""
    found = _talk(root, TIMEOUT)
    return found[0] if found is not None else None


def _talk(root: Path, timeout: float, question: bytes = b"") -> tuple[int, bytes] | None:
    """The process id of the watcher of ``root`` and its one-line reply to ``question`` (none
    asked: b""); None when no watcher run by this user listens (only such a one is believed)."""
    if not sys.platform.startswith("linux"):
        return None
    # The C module, not ``socket`` (which imports selectors, enum and more): every search,
    # list and stats asks, and the wrapper's import cost 3 ms of it.
    import _socket

    reply = b""
    try:
        client = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            client.settimeout(timeout)
            client.connect(address(root))
            pid, uid, _ = struct.unpack("3i", client.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12))
            if uid != os.getuid():
                return None
            if question:
                client.sendall(question)
                while not reply.endswith(b"\n"):
                    chunk = client.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
        finally:
            client.close()
    except OSError:
        return None
    return int(pid), reply


def log_path(root: Path) -> Path:
    """Where a watcher started by a command (``watch = true``) writes what it says."""
    return root / ".newsctl" / "watch.log"


def start(root: Path) -> bool:
    """Start ``newsctl index --watch ROOT`` detached (its own session, no terminal, output to
    ``log_path``), as git starts its fsmonitor daemon; it outlives the caller. False when it
    could not be started (the caller checks the files itself, as without a watcher). Two
    commands starting one at once are harmless: the second watcher finds the socket taken and
    exits."""
    if not sys.platform.startswith("linux"):
        return False
    # posix_spawn, not subprocess: no Popen object left to warn that its child still runs.
    log = os.fsencode(log_path(root))
    try:
        log_path(root).parent.mkdir(exist_ok=True)
        os.posix_spawn(
            sys.executable,
            [sys.executable, "-m", "newsctl", "index", "--watch", str(root)],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644),
                (os.POSIX_SPAWN_DUP2, 1, 2),
            ],
            setsid=True,
        )
    except OSError:
        return False
    return True
