"""TerminalProgress: the lab wait's live line on a terminal (rewritten in place) and in a CI log
(a line now and then), with a fake terminal reporter; the real one is used in
tests/integration/test_lab_mode.py."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, cast

import pytest

from harness.clock import LabClock
from harness.terminal import TerminalProgress


class FakeReporter:
    """Records what a TerminalReporter would write, as one string."""

    def __init__(self, isatty: bool) -> None:
        self.isatty = isatty
        self.currentfspath: object = "suites/test_x.py::test_y[pe1] "
        self.out = self.currentfspath

    def ensure_newline(self) -> None:
        if self.currentfspath:
            self.out = f"{self.out}\n"
            self.currentfspath = None

    def write(self, content: str, **markup: bool) -> None:
        self.out = f"{self.out}{content}"

    def write_line(self, line: str, **markup: bool) -> None:
        self.ensure_newline()
        self.write(f"{line}\n")

    def rewrite(self, line: str, **markup: bool) -> None:
        self.write(f"\r{line}")


class FakeCapture:
    """Counts the times capture was suspended."""

    def __init__(self) -> None:
        self.suspended = 0

    @contextlib.contextmanager
    def global_and_fixture_disabled(self) -> Iterator[None]:
        self.suspended += 1
        yield


class FakeConfig:
    def __init__(self, reporter: FakeReporter | None, capture: FakeCapture) -> None:
        plugins = {"terminalreporter": reporter, "capturemanager": capture}
        self.pluginmanager = type("PM", (), {"get_plugin": staticmethod(plugins.get)})()


def _display(reporter: FakeReporter | None) -> tuple[TerminalProgress, FakeCapture]:
    capture = FakeCapture()
    return TerminalProgress(cast(pytest.Config, cast(Any, FakeConfig(reporter, capture)))), capture


def test_on_a_terminal_the_line_is_rewritten_below_the_test_name() -> None:
    reporter = FakeReporter(isatty=True)
    display, capture = _display(reporter)
    LabClock(progress_after=0.01, display=display).sleep(0.03, "the hold-down")
    out = str(reporter.out)
    assert out.startswith("suites/test_x.py::test_y[pe1] \n\r[re-harness] waiting for the "
                          "hold-down: ")
    assert out.count("\r") >= 2 and out.count("\n") == 1  # the line stays open for pytest
    assert capture.suspended >= 2


def test_a_second_wait_starts_a_new_line() -> None:
    reporter = FakeReporter(isatty=True)
    display, _ = _display(reporter)
    clock = LabClock(progress_after=0.01, display=display)
    clock.sleep(0.02, "first")
    clock.sleep(0.02, "second")
    first, second = str(reporter.out).split("\n")[1:]
    assert "waiting for first" in first and "second" not in first
    assert "waiting for second" in second


def test_in_a_log_one_line_per_wait_start_and_its_last_state() -> None:
    reporter = FakeReporter(isatty=False)
    display, _ = _display(reporter)
    LabClock(progress_after=0.01, display=display).sleep(0.05, "RE1 to boot")
    lines = str(reporter.out).splitlines()
    assert "\r" not in str(reporter.out)
    assert lines[1].startswith("[re-harness] waiting for RE1 to boot: 0.0s")
    assert lines[-1] == "[re-harness] waiting for RE1 to boot: 0.1s / 0.1s"
    assert len(lines) == 3


def test_without_a_terminal_reporter_nothing_is_written(caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    display, capture = _display(None)
    with caplog.at_level("INFO", logger="harness"):
        LabClock(progress_after=0.01, display=display).sleep(0.02, "quiet")
    assert capture.suspended == 0
    assert any("waiting for quiet" in r.getMessage() for r in caplog.records)
