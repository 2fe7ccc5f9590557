"""The serial console of one Routing Engine, sans-IO: bytes in, terminal bytes out.

While the RE runs Junos the console shows ``login:`` and, after a good password, the CLI.  When
the RE is halted it shows "The operating system has halted. Please press any key to reboot."
and a key press powers it on (``Chassis.power_on``); the boot completes when the model's clock
passes the boot time (virtual mode: when the clock is advanced), then ``login:`` comes back.
Telnet option negotiation (RFC 854 IAC sequences) from a terminal server client is dropped.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from enum import Enum

from emulator.cli.lineedit import EventKind, LineEditor
from emulator.cli.session import BUILD_STAMP, CliSession
from emulator.model.errors import ModelError
from emulator.model.router import RouterModel
from emulator.model.routing_engine import REState

__all__ = ["HALTED_TEXT", "ConsoleSession", "ConsoleState", "strip_telnet"]

HALTED_TEXT = "The operating system has halted.\nPlease press any key to reboot.\n"

_IAC, _SB, _SE = 0xFF, 0xFA, 0xF0
_OPTION_CMDS = frozenset({0xFB, 0xFC, 0xFD, 0xFE})  # WILL WONT DO DONT


class ConsoleState(Enum):
    """What the console shows."""

    LOGIN = "login"
    PASSWORD = "password"
    CLI = "cli"
    HALTED = "halted"
    BOOTING = "booting"
    ABSENT = "absent"


def strip_telnet(data: bytes, carry: bytes = b"") -> tuple[bytes, bytes]:
    """Return (data without IAC sequences, an incomplete trailing sequence to carry over)."""
    buf = carry + data
    out = bytearray()
    i = 0
    while i < len(buf):
        b = buf[i]
        if b != _IAC:
            out.append(b)
            i += 1
            continue
        if i + 1 >= len(buf):
            return bytes(out), buf[i:]
        cmd = buf[i + 1]
        if cmd == _IAC:
            out.append(_IAC)
            i += 2
        elif cmd in _OPTION_CMDS:
            if i + 2 >= len(buf):
                return bytes(out), buf[i:]
            i += 3
        elif cmd == _SB:
            end = buf.find(bytes([_IAC, _SE]), i + 2)
            if end < 0:
                return bytes(out), buf[i:]
            i = end + 2
        else:
            i += 2
    return bytes(out), b""


class ConsoleSession:
    """The console of RE ``slot``; ``users`` maps login names to passwords."""

    def __init__(self, model: RouterModel, slot: int, users: Mapping[str, str], *,
                 session_id: int) -> None:
        self.model = model
        self.slot = slot
        self._users = dict(users)
        self._session_id = session_id
        self.state: ConsoleState | None = None
        self.editor = LineEditor()
        self._out: list[bytes] = []
        self._carry = b""
        self._login_name = ""
        self._cli: CliSession | None = None

    # ------------------------------------------------------------ public API
    @property
    def closed(self) -> bool:
        """Return False: a console stays until the client leaves (``exit`` logs out only)."""
        return False

    def start(self) -> None:
        """Show what the console shows now (a login prompt, or the halted message)."""
        self._sync()

    def receive_data(self, data: bytes) -> None:
        """Consume keystrokes (a key on a halted RE boots it)."""
        clean, self._carry = strip_telnet(data, self._carry)
        self._sync()
        if self.state is ConsoleState.HALTED and clean:
            self._boot()
        elif self.state is ConsoleState.CLI and self._cli is not None:
            self._cli.receive_data(clean)
            self._out.append(self._cli.data_to_send())
        elif self.state in (ConsoleState.LOGIN, ConsoleState.PASSWORD):
            self._login_keys(clean)
        self._sync()

    def tick(self) -> None:
        """Follow the RE: halted, booting, up again (call it periodically)."""
        if self._cli is not None:
            self._cli.tick()
            self._out.append(self._cli.data_to_send())
        self._sync()

    def resize(self, width: int, height: int) -> None:
        """A raw console reports no window size: its CLI does not page (nothing to do)."""

    def data_to_send(self) -> bytes:
        """Return and forget the bytes for the terminal."""
        out = b"".join(self._out)
        self._out.clear()
        return out

    # ------------------------------------------------------------ internals
    def _write(self, text: str) -> None:
        self._out.append(text.replace("\n", "\r\n").encode())

    def _sync(self) -> None:
        r = self.model.chassis.re(self.slot)
        if r.state is REState.HALTED:
            self._enter(ConsoleState.HALTED, "\n" + HALTED_TEXT)
        elif r.state is REState.BOOTING:
            self._enter(ConsoleState.BOOTING, "\nRebooting...\n")
        elif r.state is REState.ABSENT:
            self._enter(ConsoleState.ABSENT, "")
        elif self.state in (None, ConsoleState.HALTED, ConsoleState.BOOTING,
                            ConsoleState.ABSENT):
            self._login_prompt(booted=self.state is not None)
        elif self.state is ConsoleState.CLI and (self._cli is None or self._cli.closed):
            self._login_prompt(booted=False)

    def _enter(self, state: ConsoleState, text: str) -> None:
        if self.state is state:
            return
        self._cli = None
        self.state = state
        self._write(text)

    def _boot(self) -> None:
        try:
            self.model.chassis.power_on(self.slot)
        except ModelError as exc:
            self._write(f"\n{exc}\n")
            return
        version = self.model.chassis.re(self.slot).hardware.version
        self.state = ConsoleState.BOOTING
        self._write(f"\nRebooting...\nBooting [/kernel]...\nJUNOS {version} #0: {BUILD_STAMP}\n")

    def _login_prompt(self, *, booted: bool) -> None:
        self._cli = None
        self.state = ConsoleState.LOGIN
        self.editor = LineEditor()
        head = "\nStarting JUNOS...\n" if booted else ""
        self._write(f"{head}\n{self.model.hostname(self.slot)} (ttyu0)\n\nlogin: ")

    def _login_keys(self, data: bytes) -> None:
        for i in range(len(data)):
            events = self.editor.feed(data[i:i + 1])
            self._write(self.editor.echo())
            for event in events:
                if event.kind is EventKind.LINE:
                    self._write("\n")
                    self._login_line(event.text)
                elif event.kind is EventKind.INTERRUPT:
                    self._login_prompt(booted=False)
            if self.state is ConsoleState.CLI and self._cli is not None:
                # The rest goes to the CLI (minus the LF or NUL of a CR LF / CR NUL pair).
                rest = data[i + 1:]
                self._cli.receive_data(rest[1:] if rest[:1] in (b"\n", b"\0") else rest)
                self._out.append(self._cli.data_to_send())
                return

    def _login_line(self, text: str) -> None:
        if self.state is ConsoleState.LOGIN:
            if not text.strip():
                self._write("login: ")
                return
            self._login_name = text.strip()
            self.state = ConsoleState.PASSWORD
            self.editor.echo_on = False
            self._write("Password:")
            return
        self.editor.echo_on = True
        want = self._users.get(self._login_name)
        if not want or not hmac.compare_digest(want.encode(), text.encode()):
            self.state = ConsoleState.LOGIN
            self._write("Login incorrect\nlogin: ")
            return
        self.state = ConsoleState.CLI
        self._cli = CliSession(self.model, self.slot, self._login_name,
                               session_id=self._session_id, password=want)
        self._cli.start()
        self._out.append(self._cli.data_to_send())
