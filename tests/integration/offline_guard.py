"""A pytest plugin for replayed runs (``-p tests.integration.offline_guard``): the run fails if
anything opens a network connection, sleeps, or imports the emulator.  It proves a replay is
offline and waits no wall time."""

from __future__ import annotations

import socket
import sys
import time
from typing import Any

import pytest

_SAVED: dict[str, Any] = {}


def _refuse(what: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a replayed run must not {what} (args {args!r})")
    return refuse


def pytest_configure(config: pytest.Config) -> None:
    _SAVED.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                  create_connection=socket.create_connection, sleep=time.sleep)
    socket.socket.connect = _refuse("open a connection")  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse("open a connection")  # type: ignore[method-assign]
    socket.create_connection = _refuse("open a connection")
    time.sleep = _refuse("sleep")


def pytest_sessionfinish(session: pytest.Session) -> None:
    imported = sorted(m for m in sys.modules if m == "emulator" or m.startswith("emulator."))
    if imported:
        sys.stderr.write(f"offline guard: the emulator was imported: {imported[:5]}\n")
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
    else:
        sys.stdout.write("offline guard: no connection, no sleep, no emulator\n")


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _SAVED["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _SAVED["connect_ex"]  # type: ignore[method-assign]
    socket.create_connection = _SAVED["create_connection"]
    time.sleep = _SAVED["sleep"]
