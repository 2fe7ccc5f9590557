"""The console state machine (sans-IO), telnet negotiation stripping, and the state directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.cli.console import ConsoleSession, ConsoleState, strip_telnet
from emulator.model.clock import VirtualClock
from emulator.model.router import RouterModel, RouterParams
from emulator.model.routing_engine import REState
from emulator.state import StateDir, StateError


def model() -> RouterModel:
    m = RouterModel(RouterParams(name="r1", hostname="r1"), VirtualClock())
    m.clock.advance(400)
    return m


def screen(con: ConsoleSession) -> str:
    return con.data_to_send().decode().replace("\r\n", "\n")


def test_login_prompt_then_cli() -> None:
    con = ConsoleSession(model(), 0, {"lab": "pw"}, session_id=5)
    con.start()
    assert screen(con).endswith("r1 (ttyu0)\n\nlogin: ")
    con.receive_data(b"lab\r")
    assert screen(con) == "lab\nPassword:"
    con.receive_data(b"pw\r")
    out = screen(con)
    assert "pw" not in out  # the password is not echoed
    assert out.endswith("lab@r1> ")
    assert con.state is ConsoleState.CLI


def test_halted_shows_message_and_key_boots_when_clock_moves() -> None:
    m = model()
    m.chassis.halt(1)
    con = ConsoleSession(m, 1, {"lab": "pw"}, session_id=5)
    con.start()
    assert screen(con) == ("\nThe operating system has halted.\n"
                           "Please press any key to reboot.\n")
    con.receive_data(b"x")
    assert "Rebooting..." in screen(con)
    assert m.chassis.re(1).state is REState.BOOTING
    con.tick()
    assert screen(con) == ""  # virtual time has not moved: still booting
    m.clock.advance(400)
    con.tick()
    assert screen(con).endswith("login: ")


def test_exit_from_cli_returns_to_login() -> None:
    con = ConsoleSession(model(), 0, {"lab": "pw"}, session_id=5)
    con.start()
    con.receive_data(b"lab\rpw\r")
    screen(con)
    con.receive_data(b"exit\r")
    assert screen(con).endswith("login: ")


def test_strip_telnet_negotiation_across_reads() -> None:
    data, carry = strip_telnet(b"a\xff\xfb\x01b\xff")
    assert (data, carry) == (b"ab", b"\xff")
    data, carry = strip_telnet(b"\xfd\x03c\xff\xfa\x18\x00xterm\xff\xf0d", carry)
    assert (data, carry) == (b"cd", b"")


def test_state_dir_round_trip(tmp_path: Path) -> None:
    m = model()
    m.configs[0].load("set system location building 7", format="set")
    m.commit(0, "root")
    m.chassis.re(0).log.write(m.clock.now(), "marker line")
    StateDir(tmp_path).save(m)
    saved = StateDir(tmp_path).load("r1")
    assert saved is not None and saved.clock == m.clock.now()
    fresh = RouterModel(RouterParams(name="r1", hostname="r1"), VirtualClock(saved.clock))
    StateDir.restore(fresh, saved)
    assert "building 7;" in fresh.configs[0].committed_text()
    texts = [line.text for line in fresh.chassis.re(0).log.lines()]
    assert texts.index("marker line") < len(texts) - 1  # old lines first, then this boot's


def test_state_dir_nothing_saved_and_corrupt(tmp_path: Path) -> None:
    assert StateDir(tmp_path).load("r9") is None
    (tmp_path / "r9").mkdir()
    (tmp_path / "r9" / "state.json").write_text("[]")
    with pytest.raises(StateError, match="state.json"):
        StateDir(tmp_path).load("r9")
