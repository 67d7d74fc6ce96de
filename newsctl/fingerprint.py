"""A fingerprint of newsctl's own code, for caches and the index that store its results."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=4)
def code_fingerprint(modules: frozenset[str] | None = None) -> str:
    """Changes whenever newsctl's own code does (not only its version), so a development
    install never trusts results an older build of the checks cached. With ``modules``
    (names such as ``"post"``), only those files count: what a cache's content depends on."""
    # zlib, not hashlib: this runs on every search, and hashlib loads OpenSSL (3 ms). Two CRCs
    # of the listing make an accidental match as unlikely as the 64 bits of sha256 used before.
    import zlib

    package = os.path.dirname(os.path.abspath(__file__))
    listing = "".join(
        f"{name}:{info.st_size}:{info.st_mtime_ns};"
        for name in sorted(os.listdir(package))
        if name.endswith(".py")
        and (modules is None or name[:-3] in modules)
        and (info := os.stat(os.path.join(package, name)))
    ).encode()
    return f"{zlib.crc32(listing):08x}{zlib.adler32(listing):08x}"
