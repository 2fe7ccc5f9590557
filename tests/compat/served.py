"""The served emulator the compatibility tests talk to, and the matrix they fill.

``re-emulator serve --time virtual`` runs in a process of its own, as a user runs it; the
clients reach its routing engines (``re0``, ``re1``) and its master-only address (``master``)
over SSH like any router.  Between tests the router is reset over the control endpoint (an
emulator-only NETCONF RPC), so each test meets RE0 master, RE1 backup, fresh logs.

The router is served twice, one server per NETCONF hello (:data:`tests.netconf_hello.HELLOS`):
the real Junos hello (base:1.0 only: end-of-message framing) and one offering base:1.1 too
(chunked framing with a client that offers it, RFC 6242 section 4.1).  The server runs with
``-v``: its log has one line per client hello naming the framing the session settled on, so a
test checks the framing on the server's side (:meth:`ServedEmulator.framings_since`), not on the
client's word.

Each test marked ``compat(client, distribution, operation)`` becomes one cell of the matrix
(client, version, operation, hello, framing, target -> result), written per client to
``RE_COMPAT_RESULTS`` as JSON; ``python -m tests.compat.matrix`` turns the files into
``docs/compatibility.md``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from lxml import etree
from ncclient import manager

from tests.netconf_hello import Hello, write_hello_testbed

__all__ = [
    "CLIENT_BASE_1_1",
    "CONTROL_NS",
    "TARGETS",
    "Cell",
    "Endpoint",
    "FRAMING_NAMES",
    "Matrix",
    "ServedEmulator",
    "SessionFraming",
    "TARGET_RE",
]

CONTROL_NS = "urn:re-emulator:control:1"
#: Where each operation runs: each RE's own address and the master-only address.
TARGETS = ("re0", "re1", "master")
#: The RE a target reaches on a freshly reset router (RE0 master).
TARGET_RE = {"re0": "re0", "re1": "re1", "master": "re0"}
USER, PASSWORD = "lab", "lab123"
CONTROL_USER = CONTROL_PASSWORD = "re-control"
START_TIMEOUT = 60.0
#: Whether each client's NETCONF hello lists base:1.1 (so it speaks chunked framing to a router
#: that offers it too).  A test may say otherwise with ``compat(..., base_1_1=False)`` (OpenSSH:
#: the test writes the client's hello).
CLIENT_BASE_1_1 = {
    "PyEZ": True,  # ncclient 0.7.0 underneath
    "JSNAPy": True,  # PyEZ's Device
    "NAPALM": True,  # PyEZ's Device
    "Ansible junipernetworks.junos": True,  # ansible.netcommon.netconf: ncclient
    "scrapli-netconf": True,
    "netconf-console2": True,
    "OpenSSH": True,
    "ncclient": True,
    "harness RESession": True,  # ncclient underneath
    "Genie parsers": True,  # the text comes over ncclient
    "ntc-templates (TextFSM)": True,
}

#: The server's INFO line for each client hello (``emulator/session_glue.py``):
#: "r1 re0 NETCONF session 7: client hello; framing chunked (base:1.1)".
_HELLO_LINE = re.compile(r"(?P<router>\S+) re(?P<slot>\d+) NETCONF session (?P<session>\d+): "
                         r"client hello; framing (?P<framing>\w+)")
#: The server's framing names as the matrix shows them.
FRAMING_NAMES = {"eom": "end-of-message", "chunked": "chunked"}


@dataclass(frozen=True)
class SessionFraming:
    """One NETCONF session as the server logged it: on which RE, and its framing."""

    slot: int
    session_id: int
    framing: str  # "eom" or "chunked"


@dataclass(frozen=True)
class Endpoint:
    """Where one target listens."""

    host: str
    port: int


class ServedEmulatorError(RuntimeError):
    """``re-emulator serve`` did not start, or a control RPC failed."""


class ServedEmulator:
    """``re-emulator serve --time virtual -v`` of the default testbed with ``hello``, in a
    subprocess logging into ``workdir``, with its endpoints."""

    def __init__(self, hello: Hello, workdir: Path) -> None:
        self.hello = hello
        testbed = write_hello_testbed(workdir, hello)
        exe = Path(sys.executable).with_name("re-emulator")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "emulator"]
        self.log_path = testbed.with_suffix(".log")
        #: Session ids of this process's own control sessions (left out of the framings).
        self._control_sessions: set[int] = set()
        # The log goes to a file: a pipe nobody drains would stop the server when it fills.
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [*cmd, "serve", "--testbed", str(testbed), "--time", "virtual", "-v"],
                stdout=subprocess.PIPE, stderr=log, text=True)
        self.endpoints = self._read_endpoints()

    def _read_endpoints(self) -> dict[str, Endpoint]:
        assert self.proc.stdout is not None
        found: dict[str, Endpoint] = {}
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line or line.startswith("#"):
                if found or not line:
                    break
                continue
            _router, name, address = line.split()
            host, port = address.rsplit(":", 1)
            found[name] = Endpoint(host, int(port))
        if not {*TARGETS, "control"} <= set(found):
            self.stop()
            err = self.log_path.read_text(errors="replace")[-3000:]
            raise ServedEmulatorError(f"re-emulator serve printed {found}: {err}")
        return found

    def endpoint(self, target: str) -> Endpoint:
        """Return where ``target`` (re0, re1, master, control) listens."""
        return self.endpoints[target]

    def control(self, name: str, **args: str) -> etree._Element:
        """Run emulator control RPC ``name`` as the control user; return the reply."""
        ep = self.endpoint("control")
        op = etree.Element(f"{{{CONTROL_NS}}}{name}")
        for key, value in args.items():
            etree.SubElement(op, f"{{{CONTROL_NS}}}{key}").text = value
        with manager.connect(host=ep.host, port=ep.port, username=CONTROL_USER,
                             password=CONTROL_PASSWORD, hostkey_verify=False,
                             look_for_keys=False, allow_agent=False, timeout=30) as m:
            self._control_sessions.add(int(m.session_id))
            return etree.fromstring(m.dispatch(op).xml.encode())

    def log_mark(self) -> int:
        """Return where the server's log ends now (pass it to :meth:`framings_since`)."""
        return self.log_path.stat().st_size

    def framings_since(self, mark: int) -> list[SessionFraming]:
        """Return the NETCONF sessions clients opened since ``mark``, with the framing each
        settled on, as the server logged them at each client hello (this process's control
        sessions left out)."""
        with open(self.log_path, "rb") as log:
            log.seek(mark)
            text = log.read().decode(errors="replace")
        found = [SessionFraming(int(m["slot"]), int(m["session"]), m["framing"])
                 for m in _HELLO_LINE.finditer(text)]
        return [s for s in found if s.session_id not in self._control_sessions]

    def check_framing(self, mark: int, expected: str) -> list[SessionFraming]:
        """Return the sessions opened since ``mark`` when there is one at least and each
        speaks ``expected`` (``eom`` or ``chunked``).

        Raises AssertionError otherwise, with what the server logged."""
        seen = self.framings_since(mark)
        assert seen, f"the server logged no client NETCONF session ({self.hello.name} hello)"
        wrong = [s for s in seen if s.framing != expected]
        assert not wrong, (f"{self.hello.name} hello: the server expected {expected} framing "
                           f"on every session, saw {wrong}")
        return seen

    def reset(self) -> None:
        """Rebuild the router as new (RE0 master, RE1 backup, fresh logs and configuration)."""
        self.control("reset-router")

    def advance(self, seconds: float) -> None:
        """Move the router's virtual clock on by ``seconds`` (timers fire)."""
        self.control("advance-clock", seconds=str(seconds))

    def master(self) -> str | None:
        """Return the name of the RE that is master now (``re0``/``re1``), None in between."""
        state = self.control("get-state")
        for engine in state.iter("{*}routing-engine"):
            if engine.findtext("{*}state") == "master":
                return f"re{engine.findtext('{*}slot')}"
        return None

    def settle(self, step: float = 5.0, limit: float = 600.0) -> str:
        """Advance virtual time by ``step`` until an RE is master (a switchover takes the
        platform's mastership resolution time); return its name.

        Raises ServedEmulatorError when none is master after ``limit`` router seconds."""
        waited = 0.0
        while (found := self.master()) is None:
            if waited >= limit:
                raise ServedEmulatorError(f"no master after {limit} s of router time")
            self.advance(step)
            waited += step
        return found

    def stop(self) -> None:
        """Stop the server (SIGTERM, then wait up to 10 s)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass(frozen=True)
class Cell:
    """One result of the matrix."""

    client: str
    version: str
    operation: str
    hello: str  # what the router offered: "base:1.0" (Junos's) or "base:1.1"
    framing: str  # what the server saw: "end-of-message", "chunked", "-" (no NETCONF)
    target: str
    result: str


@dataclass
class Matrix:
    """The cells one environment's run produced, written as JSON per client."""

    cells: list[Cell] = field(default_factory=list)

    def add(self, client: str, distribution: str, operation: str, hello: str, framing: str,
            target: str, result: str) -> None:
        """Record ``result`` of ``operation`` by ``client`` against ``target`` of a router
        offering ``hello``, over ``framing``."""
        self.cells.append(Cell(client, version_of(distribution), operation, hello, framing,
                               target, result))

    def write(self, directory: Path) -> None:
        """Write ``<client>.json`` files into ``directory`` (one per client seen)."""
        directory.mkdir(parents=True, exist_ok=True)
        for client in sorted({c.client for c in self.cells}):
            rows = [asdict(c) for c in self.cells if c.client == client]
            path = directory / f"{client.lower().replace(' ', '-')}.json"
            path.write_text(json.dumps(rows, indent=1) + "\n")


def version_of(distribution: str) -> str:
    """Return the installed version of ``distribution``; ``ssh -V`` for OpenSSH."""
    if distribution == "openssh":
        out = subprocess.run(["ssh", "-V"], capture_output=True, text=True, timeout=10)
        # "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL ...": the release, not the distribution's
        # patch level (which moves with security updates).
        return (out.stderr or out.stdout).split()[0].removeprefix("OpenSSH_").rstrip(",")
    return metadata.version(distribution)


def results_dir() -> Path | None:
    """Return where the matrix is written (``RE_COMPAT_RESULTS``), or None."""
    value = os.environ.get("RE_COMPAT_RESULTS")
    return Path(value) if value else None
