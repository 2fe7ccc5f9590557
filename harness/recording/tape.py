"""A recording: what a run's routers were asked and answered, per test and per channel.

A channel is one stream of events in order: a NETCONF session's (``r1/re0``, ``r1/control``:
connects and RPCs with their replies or errors), a lab router's clock (``r1/clock``: readings
and sleeps) or its fault commands (``r1/commands``).  Each test's events are one JSON file,
``tests/<test id>.json``, so tests can be replayed alone, in any order and on any xdist worker;
events outside any test go to ``tests/(outside any test).json`` per process.  ``recording.json``
names the format and what the run was recorded with.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lxml import etree

from harness.errors import (
    ConnectError,
    HarnessError,
    RpcFailedError,
    RpcTimeoutError,
    SessionClosedError,
    SessionError,
)
from harness.fileio import safe_name, write_atomic

__all__ = ["FORMAT", "INDEX", "OUTSIDE", "VERSION", "Events", "RecordingError", "Tape",
           "decode_error", "describe", "encode_error", "read_cassette", "read_index",
           "request_text", "write_cassette", "write_index"]

FORMAT = "re-harness-recording"
VERSION = 1
#: The index file of a recording directory.
INDEX = "recording.json"
#: The name under which events outside any test are kept.
OUTSIDE = "(outside any test)"
_TESTS = "tests"

#: One test's events: channel -> events in order.
Events = dict[str, list[dict[str, Any]]]

#: The errors a session raises, by name (what a recording can hold and replay raises again).
_ERRORS: dict[str, type[SessionError]] = {
    cls.__name__: cls for cls in (ConnectError, SessionClosedError, RpcTimeoutError,
                                  RpcFailedError)}


class RecordingError(HarnessError):
    """A recording directory cannot be written or read (missing, another format or version,
    a malformed file).  At fault: the directory given to ``--record`` / ``--replay``."""


def request_text(request: etree._Element) -> str:
    """Return the text by which a request is recorded and matched."""
    return etree.tostring(request, encoding=str)


def encode_error(exc: BaseException) -> dict[str, Any]:
    """Return a session error as JSON data (type, message, and an RpcFailedError's errors and
    reply)."""
    data: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, RpcFailedError):
        data["errors"] = [list(e) for e in exc.errors]
        data["reply"] = exc.reply
    return data


def decode_error(data: Mapping[str, Any]) -> SessionError:
    """Return the error :func:`encode_error` wrote.  Raises RecordingError for an unknown
    type."""
    kind = _ERRORS.get(str(data.get("type")))
    if kind is None:
        raise RecordingError(f"recorded error of unknown type {data.get('type')!r}")
    if kind is RpcFailedError:
        return RpcFailedError(str(data.get("message", "")),
                              [(str(s), str(m)) for s, m in data.get("errors", [])],
                              str(data.get("reply", "")))
    return kind(str(data.get("message", "")))


def describe(event: Mapping[str, Any]) -> str:
    """Return an event in a few words, for messages (an RPC by its request, shortened)."""
    kind = event.get("kind")
    if kind == "rpc":
        text = str(event.get("request", ""))
        outcome = f" -> {event['error']['type']}" if "error" in event else ""
        return f"rpc {text[:160]}{'...' if len(text) > 160 else ''}{outcome}"
    if kind == "connect":
        return "connect" + (f" -> {event['error']['type']}" if "error" in event else "")
    if kind == "now":
        return f"clock read {event.get('value')}"
    if kind == "sleep":
        return f"sleep {event.get('seconds')} s ({event.get('what') or 'no reason'})"
    if kind == "command":
        return f"command {' '.join(map(str, event.get('argv', [])))}"
    return str(dict(event))


class Tape:
    """The events of the current test, per channel, in order; appends are thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.test = OUTSIDE
        self._events: Events = {}

    def __repr__(self) -> str:
        return f"<Tape {self.test} channels={sorted(self._events)}>"

    def begin(self, test: str) -> Events:
        """Start test ``test``'s events; return those recorded outside any test since the
        last call (to be kept too)."""
        with self._lock:
            outside, self._events, self.test = self._events, {}, test
        return outside

    def end(self) -> Events:
        """End the current test; return its events."""
        with self._lock:
            events, self._events, self.test = self._events, {}, OUTSIDE
        return events

    def add(self, channel: str, event: dict[str, Any]) -> None:
        """Append ``event`` to ``channel`` of the current test."""
        with self._lock:
            self._events.setdefault(channel, []).append(event)


def _cassette(directory: Path, test: str) -> Path:
    return directory / _TESTS / f"{safe_name(test)}.json"


def write_cassette(directory: Path, test: str, events: Events) -> Path:
    """Write ``test``'s events into ``directory``; return the file.  Raises RecordingError."""
    path = _cassette(directory, test)
    data = {"format": FORMAT, "version": VERSION, "test": test, "channels": events}
    try:
        write_atomic(path, json.dumps(data, indent=1, ensure_ascii=False))
    except OSError as exc:
        raise RecordingError(f"{path}: cannot write the recording: {exc}") from exc
    return path


def read_cassette(directory: Path, test: str) -> Events | None:
    """Return ``test``'s recorded events, or None when the test was not recorded.

    Raises RecordingError for a file that cannot be read or is not of this format.
    """
    path = _cassette(directory, test)
    if not path.exists():
        return None
    data = _read(path)
    channels = data.get("channels")
    if data.get("test") != test or not isinstance(channels, dict):
        raise RecordingError(f"{path}: expected the recording of {test!r}, got "
                             f"{data.get('test')!r}")
    return {str(k): list(v) for k, v in channels.items()}


def write_index(directory: Path, info: Mapping[str, Any]) -> Path:
    """Write ``recording.json`` (format, version and ``info``).  Raises RecordingError."""
    path = directory / INDEX
    try:
        write_atomic(path, json.dumps({"format": FORMAT, "version": VERSION, **info}, indent=1))
    except OSError as exc:
        raise RecordingError(f"{path}: cannot write the recording: {exc}") from exc
    return path


def read_index(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """Return ``recording.json`` of ``directory``.  Raises RecordingError when it is missing
    or not a recording of this version."""
    path = Path(directory) / INDEX
    if not path.is_file():
        raise RecordingError(f"{directory}: expected a recording made with --record "
                             f"(no {INDEX} in it)")
    return _read(path)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordingError(f"{path}: cannot read the recording: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or data.get("version") != VERSION:
        got = (data.get("format"), data.get("version")) if isinstance(data, dict) else data
        raise RecordingError(f"{path}: expected {FORMAT} version {VERSION}, got {got!r}")
    return data
