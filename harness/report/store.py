"""The store of run reports: a recorder as JSON, written atomically, read back and merged.

Under pytest-xdist each worker writes its own part (:func:`write_json`) and the controller
combines them (:func:`merge_parts`).  The JSON names its :data:`FORMAT` and :data:`VERSION`
and carries a ``summary`` for machine readers.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, fields
from enum import Enum
from pathlib import Path
from typing import Any

from harness import fileio
from harness.report.model import (
    DEFAULT_RES,
    DETAIL_TYPES,
    EntryKind,
    Outcome,
    ReportError,
    Source,
    TestEdge,
    TestRecord,
    TimelineEntry,
)
from harness.report.recorder import Recorder, summary

__all__ = ["FORMAT", "VERSION", "load_json", "merge_parts", "to_dict", "write_atomic",
           "write_json"]

log = logging.getLogger(__name__)

#: Identifies the JSON files this module writes; bumped when the layout changes.
FORMAT = "re-harness-report"
VERSION = 2


def _encode(value: Any) -> Any:
    """Return ``value`` with enums as their values (for json.dumps)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _entry_dict(entry: TimelineEntry) -> dict[str, Any]:
    return {"router": entry.router, "kind": entry.kind.value, "router_time": entry.router_time,
            "wall_time": entry.wall_time, "nodeid": entry.nodeid,
            "detail": _encode(asdict(entry.detail)), "source": _encode(entry.source),
            "lane": entry.lane}


def to_dict(recorder: Recorder) -> dict[str, Any]:
    """Return the recorder as plain JSON data, with a ``summary`` for machine readers."""
    return {
        "format": FORMAT, "version": VERSION, "testbed": recorder.testbed,
        "worker": recorder.worker, "written": time.time(),
        "summary": summary(recorder),
        "routers": [_encode(asdict(r)) for r in recorder.routers()],
        "tests": [_encode(asdict(t)) for t in recorder.tests()],
        "entries": [_entry_dict(e) for e in recorder.entries()],
    }




def write_json(recorder: Recorder, path: str | os.PathLike[str]) -> Path:
    """Write ``recorder`` as JSON to ``path`` (atomically: a partial file is never seen by
    :func:`merge_parts`).  Return the path.  Raises ReportError when it cannot be written."""
    target = Path(path)
    text = json.dumps(to_dict(recorder), indent=1, ensure_ascii=False)
    write_atomic(target, text)
    return target


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and a rename, so that no reader
    sees a partial file.  Raises ReportError when it cannot be written."""
    try:
        fileio.write_atomic(target, text)
    except OSError as exc:
        raise ReportError(f"{target}: cannot write the report: {exc}") from exc


def load_json(path: str | os.PathLike[str]) -> Recorder:
    """Return the recorder written to ``path`` by :func:`write_json`.

    Raises ReportError naming the file (and the entry) when it cannot be read or is not a
    report of this version.
    """
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{source}: cannot read the report: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReportError(f"{source}: format: expected {FORMAT!r}, got "
                          f"{data.get('format') if isinstance(data, dict) else type(data)!r}")
    if data.get("version") != VERSION:
        raise ReportError(f"{source}: version: expected {VERSION}, got {data.get('version')!r}")
    return _from_dict(data, source)


def _from_dict(data: dict[str, Any], source: Path) -> Recorder:
    recorder = Recorder(str(data.get("testbed", "")), worker=str(data.get("worker", "")))
    for key, where, item in _items(data):
        try:
            _load_item(recorder, key, item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReportError(f"{source}: {where}: {type(exc).__name__}: {exc}") from exc
    return recorder


def _items(data: dict[str, Any]) -> Iterable[tuple[str, str, Any]]:
    """Yield ``(key, "key[i]", item)`` for the routers, then the tests, then the entries."""
    for key in ("routers", "tests", "entries"):
        for index, item in enumerate(data.get(key) or []):
            yield key, f"{key}[{index}]", item


def _load_item(recorder: Recorder, key: str, item: dict[str, Any]) -> None:
    """Add one router, test or entry read from JSON to ``recorder``."""
    if key == "routers":
        recorder.add_router(item["name"], platform=item.get("platform", ""),
                            re_names=item.get("re_names") or DEFAULT_RES,
                            lab=bool(item.get("lab", False)))
    elif key == "tests":
        recorder.merge_test(_test_record(item))
    else:
        recorder.merge_entry(_entry(item))


def _test_record(item: dict[str, Any]) -> TestRecord:
    outcome = Outcome(item["outcome"]) if item.get("outcome") else None
    return TestRecord(item["nodeid"], tuple(item.get("routers") or ()), outcome,
                      float(item.get("duration", 0.0)), float(item.get("wall_start", 0.0)),
                      str(item.get("message", "")))


def _entry(item: dict[str, Any]) -> TimelineEntry:
    kind = EntryKind(item["kind"])
    detail_type = DETAIL_TYPES[kind]
    values = {f.name: item["detail"].get(f.name) for f in fields(detail_type)}
    if detail_type is TestEdge:
        values["outcome"] = Outcome(values["outcome"]) if values["outcome"] else None
        values["duration"] = float(values["duration"] or 0.0)
    rt = item.get("router_time")
    source = Source(item["source"]) if item.get("source") else None  # absent: kind's default
    return TimelineEntry(item["router"], kind, float(rt) if rt is not None else None,
                         float(item["wall_time"]), str(item.get("nodeid", "")),
                         detail_type(**values), source, item.get("lane"))


def merge_parts(directory: str | os.PathLike[str], pattern: str = "*.json") -> Recorder:
    """Return one recorder combining every part in ``directory`` (files matching ``pattern``,
    in name order).  An empty or missing directory gives an empty recorder.

    Raises ReportError for a part that cannot be read.
    """
    merged = Recorder()
    folder = Path(directory)
    parts = sorted(folder.glob(pattern)) if folder.is_dir() else []
    for part in parts:
        merged.merge(load_json(part))
    log.debug("merged %d report parts from %s", len(parts), folder)
    return merged
