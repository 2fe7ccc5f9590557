"""A real RFC 6241 server for the harness to meet: yuma123's ``netconfd`` behind OpenSSH.

``netconfd`` listens on a UNIX socket; OpenSSH's ``sshd`` runs its ``netconf-subsystem`` for
each ``netconf`` subsystem request and joins the two.  Both run on loopback, on a free port,
from files in a temporary directory (host key, client key, ``sshd_config``, the socket, logs),
and are stopped by the fixture that started them: only those two processes, by their pids.

The Debian packages are ``netconfd`` and ``openssh-server`` (``.ci/run`` installs them; in CI a
missing one fails the tests, see :func:`tests.shared.require_tool`).  ``sshd`` runs in the
foreground (``-D``), logs to a file (``-E``) and accepts one key for the current user only.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.shared import require_tool

__all__ = ["NetconfdServer", "netconfd_server"]

#: Seconds each daemon gets to start listening, and to exit after SIGTERM.
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
#: The privilege-separation directory sshd needs when started as root (Debian's ssh service
#: creates it at boot; a machine that never ran the service lacks it).
PRIVSEP_DIR = Path("/run/sshd")


@dataclass(frozen=True, slots=True)
class NetconfdServer:
    """Where the server listens and how to log in (a key, no password)."""

    host: str
    port: int
    username: str
    key_file: str
    directory: Path
    #: The NETCONF versions netconfd offers (its ``--protocols``).
    protocols: str

    def log(self) -> str:
        """Return both daemons' logs (for a failing test's message)."""
        parts = []
        for name in ("netconfd.log", "sshd.log"):
            path = self.directory / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keygen(directory: Path, name: str) -> Path:
    keygen = require_tool("ssh-keygen", "openssh-client")
    path = directory / name
    subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)],
                   check=True, timeout=30, stdin=subprocess.DEVNULL)
    return path


def _sshd_config(directory: Path, port: int, user: str, subsystem: str) -> Path:
    config = directory / "sshd_config"
    config.write_text(f"""\
ListenAddress 127.0.0.1
Port {port}
HostKey {directory / "host_key"}
PidFile {directory / "sshd.pid"}
AuthorizedKeysFile {directory / "authorized_keys"}
AllowUsers {user}
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
Subsystem netconf {subsystem}
""")
    return config


def _wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[bytes],
              server: NetconfdServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}\n{server.log()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready within {START_TIMEOUT} s\n{server.log()}")
        time.sleep(0.05)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop one process this module started: SIGTERM, then SIGKILL after STOP_TIMEOUT."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)


@contextmanager
def netconfd_server(directory: Path, protocols: str = "netconf1.0 netconf1.1",
                    startup: Path | None = None, modules: Sequence[str] = ()
                    ) -> Iterator[NetconfdServer]:
    """Run netconfd (offering ``protocols``) behind sshd on a free loopback port; yield where.
    With ``startup``, netconfd loads ``modules`` (YANG module names) and starts from that
    configuration file instead of an empty one.

    Raises RuntimeError (with both logs) when either daemon does not come up in time.
    """
    netconfd = require_tool("netconfd", "netconfd")
    subsystem = require_tool("netconf-subsystem", "netconfd")
    sshd = require_tool("sshd", "openssh-server")
    port, user = _free_port(), getpass.getuser()
    sock = directory / "ncxserver.sock"
    _keygen(directory, "host_key")
    client = _keygen(directory, "client_key")
    shutil.copy(client.with_suffix(".pub"), directory / "authorized_keys")
    config = _sshd_config(directory, port, user,
                          f"{subsystem} --ncxserver-sockname={port}@{sock}")
    if os.geteuid() == 0:
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    server = NetconfdServer("127.0.0.1", port, user, str(client), directory, protocols)
    daemon = subprocess.Popen(
        [netconfd, *([f"--startup={startup}", "--startup-error=stop",
                      *(f"--module={m}" for m in modules)] if startup else ["--no-startup"]),
         f"--ncxserver-sockname={sock}", f"--port={port}",
         f"--superuser={user}", f"--protocols={protocols}", f"--log={directory / 'netconfd.log'}",
         "--log-level=info"],
        cwd=directory, env={**os.environ, "HOME": str(directory)}, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for("netconfd", sock.exists, daemon, server)
        front = subprocess.Popen([sshd, "-D", "-f", str(config), "-E", str(directory / "sshd.log")],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            _wait_for("sshd", lambda: _accepts(port), front, server)
            yield server
        finally:
            _stop(front)
    finally:
        _stop(daemon)
