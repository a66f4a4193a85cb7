"""Operator files (conf/*.yml): read again when they change, parsed once per change.

Operators edit the live-chat hours, the solicitation catalogue and the advisor accounts while
the assistant runs; every process notices on its next read, without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")
_cache: dict[tuple[str, str], tuple[tuple[int, int], Any]] = {}
_lock = threading.Lock()


def load(path: Path | str, parse: Callable[[Any], T]) -> T:
    """`parse(yaml data)` of the file, cached until the file's timestamp or size changes."""
    path = Path(path)
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = (str(path), f"{parse.__module__}.{parse.__qualname__}")
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    value = parse(yaml.safe_load(path.read_text(encoding="utf-8")))
    with _lock:
        _cache[key] = (stamp, value)
    return value
