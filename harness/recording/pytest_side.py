"""The pytest side of ``--record DIR`` and ``--replay DIR`` (a plugin object per run).

Each test's events are kept from the start of its setup to the end of its teardown and written
as one file when it ends (under pytest-xdist each worker writes its own tests);
``recording.json`` holds what the run was recorded with.  A replay checks that it runs with the
same testbed and the options that change what is sent (``--report-dir`` or not,
``--snapshots``, ``--snapshot-file``, ``--allow-disruptive``, ``--router``), then answers every
test from its file.  A test whose replay went off the recording fails, naming where, even when
harness code swallowed the error on the way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from harness.recording.record import RecordingTransport
from harness.recording.replay import ReplayTransport, Script
from harness.recording.tape import (
    OUTSIDE,
    RecordingError,
    Tape,
    read_index,
    write_cassette,
    write_index,
)
from harness.recording.transport import Transport

__all__ = ["TRANSPORT_KEY", "RecordRun", "ReplayRun", "configure", "traffic_options"]

log = logging.getLogger(__name__)

TRANSPORT_KEY = pytest.StashKey[Transport]()


def traffic_options(config: pytest.Config) -> dict[str, Any]:
    """Return the options that change what a run sends to its routers."""
    return {"report_dir": bool(config.getoption("--report-dir")),
            "snapshots": config.getoption("--snapshots"),
            "snapshot_file": bool(config.getoption("--snapshot-file")),
            "allow_disruptive": bool(config.getoption("--allow-disruptive")),
            "routers": sorted(config.getoption("--router") or [])}


def _worker(config: pytest.Config) -> str:
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else ""


class RecordRun:
    """``--record DIR``: keeps every test's events and writes them into ``directory``."""

    def __init__(self, config: pytest.Config, directory: Path, testbed: str) -> None:
        self.directory = directory
        self.tape = Tape()
        self.transport = RecordingTransport(self.tape)
        self._worker = _worker(config)
        self._info = {"testbed": testbed, "options": traffic_options(config),
                      "created": time.time()}
        self._outside: dict[str, list[dict[str, Any]]] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None
                                ) -> Generator[None, object, object]:
        """Keep ``item``'s events from its setup to its teardown; write them after."""
        for channel, events in self.tape.begin(item.nodeid).items():
            self._outside.setdefault(channel, []).extend(events)
        try:
            return (yield)
        finally:
            write_cassette(self.directory, item.nodeid, self.tape.end())

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the events outside any test, and (controller or single process) the index."""
        for channel, events in self.tape.end().items():
            self._outside.setdefault(channel, []).extend(events)
        if self._outside:
            name = f"{OUTSIDE} {self._worker}".strip()
            write_cassette(self.directory, name, self._outside)
        if not self._worker:
            write_index(self.directory, self._info)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Say where the recording is."""
        if not self._worker:
            terminalreporter.write_line(f"re-harness recording: {self.directory} (replay with "
                                        f"--replay {self.directory})")


class ReplayRun:
    """``--replay DIR``: answers every test from its recorded events."""

    def __init__(self, config: pytest.Config, directory: Path) -> None:
        self.directory = directory
        self.script = Script(directory)
        self.transport = ReplayTransport(self.script)
        self._outside = f"{OUTSIDE} {_worker(config)}".strip()
        self.script.begin(self._outside)
        self._failed = False

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None
                                ) -> Generator[None, object, object]:
        """Answer ``item`` from its recording."""
        self.script.begin(item.nodeid)
        try:
            return (yield)
        finally:
            self.script.begin(self._outside)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Fail a test whose replay went off the recording, even if the error was swallowed."""
        report = yield
        if report.when == "setup":
            self._failed = False
        self._failed = self._failed or report.failed
        failure = self.script.failure
        if report.when == "teardown" and failure is not None and not self._failed:
            # Harness code swallowed the error and the test passed: it still diverged.
            report.outcome = "failed"
            report.longrepr = f"the replay went off the recording:\n{failure}"
        return report

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Say that the run was a replay, and of what."""
        terminalreporter.write_line(f"re-harness replay of {self.directory}: no router or "
                                    f"emulator was contacted")


def configure(config: pytest.Config, testbed: str) -> Transport | None:
    """Set up ``--record`` / ``--replay`` for this run; return the transport routers use, or
    None for the real world.

    Raises pytest.UsageError for both options together, a directory that is no recording, or
    a replay with another testbed or other options than the recording's.
    """
    record, replay = config.getoption("--record"), config.getoption("--replay")
    if record and replay:
        raise pytest.UsageError("--record and --replay: expected one of them, got both")
    if record:
        run: RecordRun | ReplayRun = RecordRun(config, Path(record), testbed)
    elif replay:
        _check_replay(config, Path(replay), testbed)
        run = ReplayRun(config, Path(replay))
    else:
        return None
    config.pluginmanager.register(run, "re-harness-recording")
    config.stash[TRANSPORT_KEY] = run.transport
    return run.transport


def _check_replay(config: pytest.Config, directory: Path, testbed: str) -> None:
    try:
        info = read_index(directory)
    except RecordingError as exc:
        raise pytest.UsageError(f"--replay: {exc}") from exc
    problems = []
    if info.get("testbed") != testbed:
        problems.append(f"testbed {info.get('testbed')!r} recorded, {testbed!r} now")
    recorded, now = info.get("options", {}), traffic_options(config)
    problems += [f"{key} {recorded.get(key)!r} recorded, {value!r} now"
                 for key, value in now.items() if recorded.get(key) != value]
    if problems:
        raise pytest.UsageError(f"--replay {directory}: expected the run's testbed and options "
                                f"as recorded (they change what is sent): "
                                + "; ".join(problems))
