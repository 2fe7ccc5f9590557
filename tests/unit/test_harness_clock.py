"""LabClock / EmulatedClock: sleep, wait_until and the live progress line (fake stream)."""

from __future__ import annotations

import io
import math

import pytest
from lxml import etree

from harness.clock import EmulatedClock, LabClock, WaitTimeoutError
from re_contract.control import CONTROL_NS


class FakeEmulator:
    """Answers get-clock and advance-clock like the emulator's control RPCs."""

    def __init__(self, changes: tuple[float, ...] = ()) -> None:
        self.now = 1000.0
        self.calls: list[str] = []
        #: Times the router changes by itself (what ``until-change`` stops at).
        self.changes = changes
        self.skips: list[tuple[float, float]] = []

    def __call__(self, el: etree._Element) -> etree._Element:
        tag = etree.QName(el).localname
        self.calls.append(tag)
        if tag == "advance-clock":
            step = float(el.findtext(f"{{{CONTROL_NS}}}seconds") or 0)
            within = el.findtext(f"{{{CONTROL_NS}}}until-change")
            span = step
            if within is not None:
                self.skips.append((step, float(within)))
                due = [c for c in self.changes if c > self.now]
                steps = math.ceil((min(due) - self.now) / step) if due else math.inf
                span = min(float(within), max(1, steps) * step)
            self.now += span
        return etree.fromstring(f"<rpc-reply><clock><now>{self.now}</now></clock></rpc-reply>")


def test_lab_sleep_shows_what_elapsed_and_limit() -> None:
    stream = io.StringIO()
    LabClock(stream, progress_after=0.01).sleep(0.05, "the keepalive-time")
    out = stream.getvalue()
    assert "\r[re-harness] waiting for the keepalive-time: " in out
    assert "0.1s / 0.1s" in out or "0.0s / 0.1s" in out
    assert out.endswith("\n")


def test_lab_short_sleep_is_silent() -> None:
    stream = io.StringIO()
    LabClock(stream, progress_after=5).sleep(0.01, "short")
    assert stream.getvalue() == ""


def test_lab_wait_until_shows_progress_of_the_whole_wait() -> None:
    stream = io.StringIO()
    clock = LabClock(stream, progress_after=0.01)
    calls = iter([0, 0, 0, 7])
    assert clock.wait_until(lambda: next(calls), 5.0, "RE1 to boot", poll=0.01) == 7
    lines = stream.getvalue()
    assert lines.count("waiting for RE1 to boot:") == 3
    assert "/ 5.0s" in lines and lines.endswith("\n")


def test_lab_wait_until_times_out_with_the_last_value() -> None:
    clock = LabClock(io.StringIO(), progress_after=100)
    with pytest.raises(WaitTimeoutError, match="RE0 to answer") as info:
        clock.wait_until(lambda: [], 0.05, "RE0 to answer", poll=0.01)
    assert info.value.last == [] and info.value.timeout == 0.05


def test_emulated_sleep_is_one_advance_clock_rpc() -> None:
    emu = FakeEmulator()
    clock = EmulatedClock(emu)
    clock.sleep(300, "keepalive-time")
    assert emu.calls == ["advance-clock"] and clock.now() == 1300.0
    clock.sleep(0)
    assert emu.calls == ["advance-clock", "get-clock"]


def test_emulated_wait_until_advances_by_poll() -> None:
    emu = FakeEmulator()
    clock = EmulatedClock(emu)
    assert clock.wait_until(lambda: emu.now >= 1030, 100, "30 s", poll=10) is True
    assert emu.now == 1030.0
    with pytest.raises(WaitTimeoutError):
        clock.wait_until(lambda: False, 25, "never", poll=10)
    assert emu.now == 1055.0  # 10 + 10 + 5: the last poll is cut to the limit


def test_emulated_wait_until_reads_the_time_from_each_advance_not_after_each_poll() -> None:
    emu = FakeEmulator()
    clock = EmulatedClock(emu)
    seen: list[float] = []
    assert clock.wait_until(lambda: seen.append(emu.now) or emu.now >= 1030, 100, "30 s",
                            poll=10) is True
    assert seen == [1000.0, 1010.0, 1020.0, 1030.0]
    assert emu.calls == ["get-clock", *["advance-clock"] * 3]


def test_emulated_wait_until_a_predicate_that_moves_the_clock_still_ends() -> None:
    emu = FakeEmulator()
    clock = EmulatedClock(emu)

    def slow_and_false() -> bool:
        emu.now += 7  # something else advanced the router's clock meanwhile
        return False

    with pytest.raises(WaitTimeoutError):
        clock.wait_until(slow_and_false, 25, "never", poll=10)
    # The advances' replies report the predicate's moves too: 1017, then 1032 (past 25 s).
    assert emu.calls == ["get-clock", "advance-clock", "advance-clock"]


def test_emulated_now_inside_a_wait_predicate_is_the_polls_time_without_an_rpc() -> None:
    emu = FakeEmulator()
    clock = EmulatedClock(emu)
    seen: list[float] = []

    def at_1020() -> bool:
        seen.append(clock.now())
        return seen[-1] >= 1020

    assert clock.wait_until(at_1020, 100, "20 s", poll=10) is True
    assert seen == [1000.0, 1010.0, 1020.0]
    assert emu.calls == ["get-clock", "advance-clock", "advance-clock"]
    assert clock.now() == 1020.0 and emu.calls[-1] == "get-clock"  # outside a wait: asked


def test_emulated_a_predicate_that_sleeps_reads_the_clock_again() -> None:
    emu = FakeEmulator()
    clock = EmulatedClock(emu)
    seen: list[float] = []

    def sleeps() -> bool:
        clock.sleep(3)
        seen.append(clock.now())
        return True

    assert clock.wait_until(sleeps, 100, "once", poll=10) is True
    assert seen == [1003.0] and emu.calls == ["get-clock", "advance-clock", "get-clock"]


def test_emulated_state_only_wait_skips_to_the_poll_that_sees_the_next_change() -> None:
    emu = FakeEmulator(changes=(1042.0,))
    clock = EmulatedClock(emu)
    seen: list[float] = []
    assert clock.wait_until(lambda: seen.append(clock.now()) or emu.now >= 1042, 100,
                            "a change at 1042", poll=10, state_only=True) is True
    # Polled at 1000, then at 1050: the poll every 10 s would have seen the change first.
    assert seen == [1000.0, 1050.0]
    assert emu.calls == ["get-clock", "advance-clock"] and emu.skips == [(10.0, 100.0)]


def test_emulated_state_only_wait_with_nothing_due_polls_once_more_at_the_limit() -> None:
    emu = FakeEmulator()
    clock = EmulatedClock(emu)
    with pytest.raises(WaitTimeoutError):
        clock.wait_until(lambda: False, 25, "never", poll=10, state_only=True)
    assert emu.now == 1025.0 and emu.calls == ["get-clock", "advance-clock"]


def test_emulated_wait_skips_nothing_unless_state_only() -> None:
    emu = FakeEmulator(changes=(1042.0,))
    clock = EmulatedClock(emu)
    assert clock.wait_until(lambda: emu.now >= 1042, 100, "plain", poll=10) is True
    assert emu.now == 1050.0 and emu.calls.count("advance-clock") == 5 and emu.skips == []


def test_lab_wait_until_accepts_state_only_and_polls_as_ever() -> None:
    clock = LabClock(io.StringIO())
    calls: list[int] = []
    assert clock.wait_until(lambda: calls.append(1) or len(calls) == 3, 5, "three polls",
                            poll=0.001, state_only=True) is True
