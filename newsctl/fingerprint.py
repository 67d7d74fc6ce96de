"""A fingerprint of newsctl's own code, for caches and the index that store its results."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=4)
def code_fingerprint(modules: frozenset[str] | None = None) -> str:
    """Changes whenever newsctl's own code does (not only its version), so a development
    install never trusts results an older build of the checks cached. With ``modules`` (full
    names such as ``"newsctl.jekyll.post"``), only those files count: what a cache's content
    depends on. Every subpackage is walked.

    Made of the files' contents, not their times: reinstalling the same code (pip gives every
    file a new time) must not throw away an index that took minutes to build."""
    # zlib, not hashlib: this runs on every search, and hashlib loads OpenSSL (3 ms). Reading
    # the modules takes well under a millisecond.
    import zlib

    crc, adler = 0, 1
    for name, path in _modules(os.path.dirname(os.path.abspath(__file__))):
        if modules is None or name in modules:
            with open(path, "rb") as handle:
                data = name.encode() + b"\0" + handle.read()
            crc, adler = zlib.crc32(data, crc), zlib.adler32(data, adler)
    return f"{crc:08x}{adler:08x}"


def _modules(package: str) -> list[tuple[str, str]]:
    """(module name, file) of every module of the package, subpackages included, in name order."""
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [name for name in subfolders if not name.startswith((".", "__"))]
        relative = os.path.relpath(folder, package)
        prefix = ".".join(["newsctl", *([] if relative == "." else relative.split(os.sep))])
        for file in files:
            if file.endswith(".py"):
                stem = file[:-3]
                found.append((prefix if stem == "__init__" else f"{prefix}.{stem}", os.path.join(folder, file)))
    return sorted(found)
