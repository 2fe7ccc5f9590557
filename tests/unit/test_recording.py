"""Tests of ``harness.recording`` without a router: the tape and its files, replayed sessions
(recorded replies and errors, lenient connects, sessions the peer closed), the replayed clock
(recorded time, no wall wait), replayed fault commands (none run), and recording a clock."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from harness.errors import ConnectError, RpcFailedError, SessionClosedError
from harness.recording import ReplayMismatchError, ReplayMissingError
from harness.recording.record import RecordingClock, RecordingTransport
from harness.recording.replay import ReplayClock, ReplaySession, ReplayTransport, Script
from harness.recording.tape import (
    RecordingError,
    Tape,
    decode_error,
    encode_error,
    read_cassette,
    read_index,
    write_cassette,
    write_index,
)

TEST = "suites/test_x.py::test_y[r1]"
RE_INFO = "<rpc-reply><route-engine-information/></rpc-reply>"


def rpc(request: str, reply: str = RE_INFO, **more: Any) -> dict[str, Any]:
    return {"kind": "rpc", "request": request, "ignore_warnings": True, "reply": reply, **more}


def script(tmp_path: Path, channels: dict[str, list[dict[str, Any]]]) -> Script:
    write_cassette(tmp_path, TEST, channels)
    found = Script(tmp_path)
    found.begin(TEST)
    return found


# ------------------------------------------------------------------------------ the tape
def test_the_tape_keeps_each_test_apart_and_what_came_outside(tmp_path: Path) -> None:
    tape = Tape()
    tape.add("r1/re0", {"kind": "connect"})
    assert tape.begin(TEST) == {"r1/re0": [{"kind": "connect"}]}
    tape.add("r1/re0", rpc("<a/>"))
    events = tape.end()
    assert events == {"r1/re0": [rpc("<a/>")]}
    write_cassette(tmp_path, TEST, events)
    assert read_cassette(tmp_path, TEST) == events
    assert read_cassette(tmp_path, "other::test") is None


def test_an_index_of_another_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="expected a recording made with --record"):
        read_index(tmp_path)
    (tmp_path / "recording.json").write_text('{"format": "x"}')
    with pytest.raises(RecordingError, match="expected re-harness-recording version 1"):
        read_index(tmp_path)
    write_index(tmp_path, {"testbed": "emulated"})
    assert read_index(tmp_path)["testbed"] == "emulated"


def test_session_errors_round_trip() -> None:
    failed = decode_error(encode_error(RpcFailedError("r1/re0: no", [("error", "no")], "<x/>")))
    assert isinstance(failed, RpcFailedError)
    assert failed.errors == [("error", "no")] and failed.reply == "<x/>"
    assert isinstance(decode_error(encode_error(SessionClosedError("gone"))), SessionClosedError)
    with pytest.raises(RecordingError, match="unknown type"):
        decode_error({"type": "KeyError"})


# ------------------------------------------------------------------------------ sessions
def test_a_replayed_session_answers_what_was_recorded(tmp_path: Path) -> None:
    played = script(tmp_path, {"r1/re0": [
        {"kind": "connect"}, rpc("<get-route-engine-information/>"),
        rpc("<commit-configuration/>", error=encode_error(
            RpcFailedError("r1/re0: refused", [("error", "refused")]))),
    ]})
    session = ReplaySession("r1/re0", played).open()
    reply = session.rpc("<get-route-engine-information/>")
    assert reply.find("route-engine-information") is not None
    with pytest.raises(RpcFailedError) as refused:
        session.rpc(etree.Element("commit-configuration"))
    assert refused.value.errors == [("error", "refused")]
    assert session.connected  # an <rpc-error> leaves the session open, as a real one


def test_a_request_other_than_recorded_names_the_channel_and_what_is_nearby(
        tmp_path: Path) -> None:
    played = script(tmp_path, {"r1/re1": [rpc("<a/>"), rpc("<b/>"), rpc("<c/>")]})
    session = ReplaySession("r1/re1", played).open()
    session.rpc("<a/>")
    with pytest.raises(ReplayMismatchError) as wrong:
        session.rpc("<x/>")
    text = str(wrong.value)
    assert text.startswith(f"{TEST}: r1/re1: asked rpc <x/> as event #2, but the recording "
                           f"holds rpc <b/> there")
    assert "   #1 rpc <a/>" in text and "-> #2 rpc <b/>" in text and "#3 rpc <c/>" in text
    assert played.failure is wrong.value


def test_asking_past_the_recording_is_missing(tmp_path: Path) -> None:
    session = ReplaySession("r1/re0", script(tmp_path, {"r1/re0": [rpc("<a/>")]})).open()
    session.rpc("<a/>")
    with pytest.raises(ReplayMissingError, match=r"r1/re0: asked rpc <a/> as event #2, but "
                                                 r"the recording of this test holds only 1"):
        session.rpc("<a/>")
    unrecorded = Script(tmp_path)
    unrecorded.begin("suites/test_other.py::test_z")
    with pytest.raises(ReplayMissingError, match="not in the recording"):
        ReplaySession("r1/re0", unrecorded).open().rpc("<a/>")


def test_connects_are_lenient_but_a_failed_one_is_replayed(tmp_path: Path) -> None:
    refused = encode_error(ConnectError("r1/re1: refused"))
    played = script(tmp_path, {
        "r1/re0": [rpc("<a/>"), {"kind": "connect"}, rpc("<b/>")],
        "r1/re1": [{"kind": "connect", "error": refused}, {"kind": "connect"}, rpc("<a/>")]})
    re0 = ReplaySession("r1/re0", played).open()  # opened in an earlier test: no connect
    re0.rpc("<a/>")
    re0.rpc("<b/>")  # the recording reconnected here; this session is open already
    with pytest.raises(ConnectError):
        ReplaySession("r1/re1", played).open()
    ReplaySession("r1/re1", played).open().rpc("<a/>")


def test_a_session_the_peer_closed_is_closed_where_the_recording_found_it(
        tmp_path: Path) -> None:
    played = script(tmp_path, {"r1/re0": [
        {"kind": "connect"}, rpc("<a/>"), {"kind": "lost"}, {"kind": "connect"}, rpc("<b/>"),
        rpc("<c/>", error=encode_error(SessionClosedError("r1/re0: dropped")))]})
    session = ReplaySession("r1/re0", played).open()
    session.rpc("<a/>")
    assert not session.connected
    with pytest.raises(SessionClosedError, match="not open"):
        session.rpc("<b/>")
    session.open().rpc("<b/>")
    with pytest.raises(SessionClosedError, match="dropped"):
        session.rpc("<c/>")
    assert not session.connected


# ------------------------------------------------------------------------------ time
def test_the_replayed_clock_reads_the_recorded_time_and_waits_no_wall_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"the replayed clock slept {seconds} s of wall time")

    monkeypatch.setattr(time, "sleep", no_sleep)
    played = script(tmp_path, {"r1/clock": [
        {"kind": "now", "value": 1000.0}, {"kind": "sleep", "seconds": 86400.0, "what": "a day"},
        {"kind": "now", "value": 87400.0},
        # wait_until: the start, the poll's elapsed time, the poll's sleep, then it is true.
        {"kind": "now", "value": 87400.0}, {"kind": "now", "value": 87400.0},
        {"kind": "sleep", "seconds": 5.0, "what": "x"}]})
    clock = ReplayClock(played, "r1/clock")
    assert clock.now() == 1000.0
    clock.sleep(86400.0, "a day")
    assert clock.now() == 87400.0
    polls = iter([False, True])
    assert clock.wait_until(lambda: next(polls), 60, "x", poll=5.0)
    with pytest.raises(ReplayMissingError):
        clock.sleep(1.0)


def test_a_sleep_other_than_recorded_is_a_mismatch(tmp_path: Path) -> None:
    played = script(tmp_path, {"r1/clock": [{"kind": "sleep", "seconds": 5.0, "what": ""}]})
    with pytest.raises(ReplayMismatchError, match=r"asked sleep 6.0 s"):
        ReplayClock(played, "r1/clock").sleep(6.0)


class StepClock:
    """A clock that moves only when slept on (records what it was asked)."""

    def __init__(self) -> None:
        self.t = 100.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float, what: str = "") -> None:
        self.t += seconds

    def pause(self, seconds: float, what: str = "") -> bool:
        self.sleep(seconds, what)
        return True

    def wait_until(self, predicate: Any, timeout: float, what: str, poll: float = 1.0,
                   *, state_only: bool = False) -> Any:
        raise AssertionError("a recording clock polls through its own now and sleep")


def test_a_recorded_clock_keeps_every_reading_and_sleep() -> None:
    tape = Tape()
    tape.begin(TEST)
    clock = RecordingClock(StepClock(), tape, "r1/clock")
    polls = iter([False, False, True])
    assert clock.wait_until(lambda: next(polls), 60, "ready", poll=2.0)
    kinds = [(e["kind"], e.get("value", e.get("seconds"))) for e in tape.end()["r1/clock"]]
    assert kinds == [("now", 100.0), ("now", 100.0), ("sleep", 2.0), ("now", 102.0),
                     ("sleep", 2.0)]


# ------------------------------------------------------------------------------ commands
def test_fault_commands_are_recorded_and_replayed_without_running(tmp_path: Path) -> None:
    tape = Tape()
    tape.begin(TEST)
    run = RecordingTransport(tape).command_runner("r1")
    done = run(["python3", "-c", "import sys; sys.stdout.write('on')"], 30)
    assert done.returncode == 0 and done.stdout == "on"
    with pytest.raises(OSError):
        run(["/nonexistent/pdu-script"], 30)
    write_cassette(tmp_path, TEST, tape.end())
    played = Script(tmp_path)
    played.begin(TEST)
    replay = ReplayTransport(played).command_runner("r1")
    again = replay(["python3", "-c", "import sys; sys.stdout.write('on')"], 30)
    assert isinstance(again, subprocess.CompletedProcess) and again.stdout == "on"
    with pytest.raises(OSError, match=r"\(recorded\) FileNotFoundError"):
        replay(["/nonexistent/pdu-script"], 30)


def test_clock_readings_may_be_more_or_fewer_than_recorded(tmp_path: Path) -> None:
    """Reading a clock changes nothing, and harness code reads it for reasons outside the test
    (the report reads it when the master it saw changes): a replay may read it where the
    recording did not, and pass over readings it does not make."""
    clock_reply = "<rpc-reply><clock><now>{}</now></clock></rpc-reply>"
    get_clock = '<get-clock xmlns="urn:re-emulator:control:1"/>'
    advance = '<advance-clock xmlns="urn:re-emulator:control:1"><seconds>25.000</seconds>' \
              '</advance-clock>'
    played = script(tmp_path, {
        "r1/control": [rpc(get_clock, clock_reply.format(100)), rpc("<sever-link/>", "<ok/>"),
                       rpc(advance, clock_reply.format(125)), rpc(get_clock,
                                                              clock_reply.format(125))],
        "r1/clock": [{"kind": "now", "value": 10.0}, {"kind": "sleep", "seconds": 5.0},
                     {"kind": "now", "value": 15.0}, {"kind": "sleep", "seconds": 2.0}]})
    control = ReplaySession("r1/control", played).open()
    assert control.rpc(get_clock).findtext(".//now") == "100"
    assert control.rpc(get_clock).findtext(".//now") == "100"  # read again: not recorded
    control.rpc("<sever-link/>")
    control.rpc(advance)
    assert control.rpc(get_clock).findtext(".//now") == "125"
    clock = ReplayClock(played, "r1/clock")
    clock.sleep(5.0)  # the reading of 10.0 before it is passed over
    clock.sleep(2.0)  # so is the reading of 15.0
    assert clock.now() == 17.0  # the last reading plus the sleeps since
