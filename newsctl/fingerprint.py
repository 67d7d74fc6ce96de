"""A fingerprint of newsctl's own code, for caches and the index that store its results."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=4)
def code_fingerprint(modules: frozenset[str] | None = None) -> str:
    """Changes whenever newsctl's own code does (not only its version), so a development
    install never trusts results an older build of the checks cached. With ``modules``
    (names such as ``"post"``), only those files count: what a cache's content depends on.

    Made of the files' contents, not their times: reinstalling the same code (pip gives every
    file a new time) must not throw away an index that took minutes to build."""
    # zlib, not hashlib: this runs on every search, and hashlib loads OpenSSL (3 ms). Reading
    # the modules takes well under a millisecond.
    import zlib

    package = os.path.dirname(os.path.abspath(__file__))
    crc, adler = 0, 1
    for name in sorted(os.listdir(package)):
        if name.endswith(".py") and (modules is None or name[:-3] in modules):
            with open(os.path.join(package, name), "rb") as handle:
                data = name.encode() + b"\0" + handle.read()
            crc, adler = zlib.crc32(data, crc), zlib.adler32(data, adler)
    return f"{crc:08x}{adler:08x}"
