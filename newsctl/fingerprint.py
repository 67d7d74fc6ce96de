"""A fingerprint of newsctl's own code, for caches and the index that store its results."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever newsctl's own code does (not only its version), so a development
    install never trusts results an older build of the checks cached."""
    import hashlib

    package = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256()
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            info = os.stat(os.path.join(package, name))
            digest.update(f"{name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]
