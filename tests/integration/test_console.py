"""The console of an RE (a raw TCP port, as a terminal server gives): login and CLI while the RE
runs; "The operating system has halted. Please press any key to reboot." once it is halted; a
key boots it, and in virtual time the boot completes when the clock is advanced."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator

import pytest
from ncclient import manager

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from re_contract.testbed import default_testbed_path, load_testbed


class Console:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=10)
        self.buf = ""

    def expect(self, pattern: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.buf):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} in {self.buf!r}")
            data = self.sock.recv(65536)
            if not data:
                raise EOFError(self.buf)
            self.buf += data.decode().replace("\r\n", "\n")
        out, self.buf = self.buf, ""
        return out

    def send(self, text: str) -> None:
        self.sock.sendall(text.encode())

    def login(self) -> str:
        self.expect(r"login: $")
        self.send("lab\r")
        self.expect(r"Password:$")
        self.send("lab123\r")
        return self.expect(r"lab@r1> $")


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    entry = router_entry(load_testbed(default_testbed_path()).router("r1"))
    entry.consoles = {"re0": ("127.0.0.1", 0), "re1": ("127.0.0.1", 0)}
    srv = EmulatorServer([entry])
    srv.start()
    yield srv
    srv.stop()


def console(server: EmulatorServer, re_name: str) -> Console:
    ep = next(ep for ep in server.consoles if ep.re == re_name)
    return Console(ep.host, ep.port)


def advance(server: EmulatorServer, seconds: int) -> None:
    ep = next(ep for ep in server.endpoints if ep.re == "control")
    with manager.connect(host=ep.host, port=ep.port, username="re-control",
                         password="re-control", hostkey_verify=False,
                         device_params={"name": "junos"}) as m:
        m.rpc(f'<advance-clock xmlns="urn:re-emulator:control:1"><seconds>{seconds}</seconds>'
              "</advance-clock>")


def test_console_login_and_cli(server: EmulatorServer) -> None:
    con = console(server, "re0")
    greeting = con.login()
    assert "--- JUNOS " in greeting
    con.send("show chassis routing-engine\r")
    assert "Current state" in con.expect(r"lab@r1> $")


def test_wrong_password_is_refused(server: EmulatorServer) -> None:
    con = console(server, "re1")
    con.expect(r"login: $")
    con.send("lab\r")
    con.expect(r"Password:$")
    con.send("nope\r")
    assert "Login incorrect" in con.expect(r"login: $")


def test_halted_re_boots_on_a_key(server: EmulatorServer) -> None:
    con = console(server, "re1")
    con.login()
    con.send("request system halt\r")
    con.expect(r"\(no\) $")
    con.send("yes\r")
    out = con.expect(r"Please press any key to reboot\.\n")
    assert "Shutdown NOW!" in out
    assert "The operating system has halted.\nPlease press any key to reboot." in out
    con.send(" ")
    assert "Rebooting..." in con.expect(r"Rebooting\.\.\.")
    advance(server, 400)  # virtual time: the boot completes when the clock moves
    assert "lab@r1> " in con.login()


def test_console_of_an_re_halted_elsewhere(server: EmulatorServer) -> None:
    con = console(server, "re1")
    con.expect(r"login: $")
    other = console(server, "re1")
    other.login()
    other.send("request system halt\r")
    other.expect(r"\(no\) $")
    other.send("yes\r")
    assert "Please press any key to reboot." in con.expect(r"reboot\.\n", timeout=10)
