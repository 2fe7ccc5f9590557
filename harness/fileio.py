"""Files the harness writes (reports, snapshots, recordings): whole or not at all, under names
made from test ids."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

__all__ = ["safe_name", "write_atomic"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` (its directory created) through a temporary file and a
    rename, so that no reader sees a partial file.  Raises OSError when it cannot be written."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, target)


def safe_name(text: str) -> str:
    """Return a file name for ``text`` (a test id): safe characters only; a long one is cut and
    ends in a hash of the whole, so two ids never share a name."""
    name = _UNSAFE.sub("_", text).strip("_") or "test"
    if len(name) <= 120:
        return name
    return f"{name[:100]}-{hashlib.sha1(text.encode()).hexdigest()[:12]}"
