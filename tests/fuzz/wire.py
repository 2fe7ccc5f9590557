"""What the abuse tests and the fuzzer drive the emulator with: ``re-emulator serve`` as a
process (as a user runs it), a raw NETCONF 1.0 client over paramiko that may misbehave, and a
TCP relay that can stop reading like a frozen client.

Nothing here imports the emulator: the tests see it only over the wire, as they would see a
router.  Every wait has a deadline and raises :class:`WireTimeout`.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

__all__ = [
    "CONTROL_NS",
    "HELLO",
    "NC",
    "Client",
    "Frozen",
    "Served",
    "WireTimeout",
    "connect_raw",
    "control",
    "control_rpc",
    "latencies",
    "rpc",
    "rss_kib",
    "serve",
    "serving",
    "write_testbed",
]

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
CONTROL_NS = "urn:re-emulator:control:1"
EOM = b"]]>]]>"
HELLO = (f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
         f'</capability></capabilities></hello>').encode() + EOM
_IDS = itertools.count(1)


class WireTimeout(AssertionError):
    """Something expected over the wire did not happen within its deadline."""


def rpc(body: str, message_id: str | None = None) -> bytes:
    """Return one EOM-framed ``<rpc>`` holding ``body``."""
    mid = message_id if message_id is not None else str(next(_IDS))
    return f'<rpc message-id="{mid}" xmlns="{NC}">{body}</rpc>'.encode() + EOM


def write_testbed(directory: Path, *, limits: str = "", extra: str = "", host: str = "127.0.0.1",
            credentials: str = "username: lab\n      password: lab123") -> Path:
    """Write a one-router testbed (r1, MX480, control user ``re-control``) and return it;
    ``limits`` is the body of ``emulator.limits``, ``extra`` more keys of the router."""
    lim = f"\n      limits:\n{_indent(limits, 8)}" if limits else ""
    text = f"""testbed: {{name: abuse}}
routers:
  r1:
    platform: MX480
    emulated: true
    allow_disruptive: true
    re0: {{host: {host}, port: 0}}
    re1: {{host: {host}, port: 0}}
    credentials:
      {credentials}
    control: {{username: re-control, password: re-control}}
    host_keys: {{policy: ignore}}
    emulator:
      time: virtual{lim}
{_indent(extra, 4)}
"""
    path = directory / "testbed.yaml"
    path.write_text(text)
    return path


def _indent(text: str, by: int) -> str:
    return "\n".join(" " * by + line for line in text.strip("\n").splitlines()) if text else ""


# ----------------------------------------------------------------------------- the process
@dataclass
class Served:
    """A running ``re-emulator serve``: its endpoints (``re0``, ``re1``, ``control``...)."""

    proc: subprocess.Popen[str]
    endpoints: dict[str, tuple[str, int]] = field(default_factory=dict)
    banner: list[str] = field(default_factory=list)
    #: What the process wrote on stderr, read as it comes (a full pipe would block it).
    errors: list[str] = field(default_factory=list)
    _drain: threading.Thread | None = None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        """Signal the process and return its exit status (killed past ``timeout``)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout)

    def drain(self) -> None:
        """Read the process's stderr as it comes, in a thread (into :attr:`errors`)."""
        def read() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self.errors.append(line)
                del self.errors[:-2000]  # the last lines are enough

        self._drain = threading.Thread(target=read, daemon=True)
        self._drain.start()

    def stderr(self) -> str:
        """Return what the process wrote on stderr (all of it once it has ended)."""
        if self._drain is None:
            return self.proc.stderr.read() if self.proc.stderr else ""
        if self.proc.poll() is not None:
            self._drain.join(10)
        return "".join(self.errors)


def serve(*args: str, timeout: float = 60.0, env: dict[str, str] | None = None,
          preexec: object = None) -> Served:
    """Start ``python -m emulator serve --time virtual ARGS`` and wait for its endpoints (the
    lines before the first ``#`` line).

    Raises WireTimeout when it prints none within ``timeout`` (its stderr in the message).
    """
    cmd = [sys.executable, "-m", "emulator", "serve", "--time", "virtual", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, preexec_fn=preexec)  # type: ignore[arg-type]
    served = Served(proc)
    served.drain()
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc, lines), daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        served.banner.append(line)
        if line.startswith("#"):
            if served.endpoints:
                return served
            continue
        _, name, address = line.split()
        host, port = address.rsplit(":", 1)
        served.endpoints[name] = (host.strip("[]"), int(port))
    served.stop(signal.SIGKILL)
    raise WireTimeout(f"re-emulator serve printed no endpoints: {served.stderr()[-2000:]}")


def _read_lines(proc: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    """Move the process's stdout lines to ``lines`` (and keep its pipe drained)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line.rstrip("\n"))


@contextlib.contextmanager
def serving(*args: str, **kwargs: object) -> Iterator[Served]:
    """Run :func:`serve` for the block; stop it afterwards."""
    served = serve(*args, **kwargs)  # type: ignore[arg-type]
    try:
        yield served
    finally:
        served.stop()


# ----------------------------------------------------------------------------- the client
class Client:
    """A NETCONF 1.0 session over paramiko that sends whatever it is given.

    ``recv_message`` returns one reply (without ``]]>]]>``); everything is bounded by
    ``timeout``.
    """

    def __init__(self, host: str, port: int, user: str = "lab", password: str = "lab123", *,
                 timeout: float = 15.0, hello: bool = True, sock: socket.socket | None = None,
                 window: int | None = None, transport: paramiko.Transport | None = None
                 ) -> None:
        self.ssh: paramiko.SSHClient | None = None
        if transport is None:  # a connection of its own (else a channel on ``transport``)
            self.ssh = paramiko.SSHClient()
            self.ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            self.ssh.connect(host, port, user, password, look_for_keys=False,
                             allow_agent=False, timeout=timeout, banner_timeout=timeout,
                             auth_timeout=timeout, sock=sock)
            transport = self.ssh.get_transport()
            assert transport is not None
        self.transport = transport
        self.timeout = timeout
        self.chan = (transport.open_session(timeout=timeout) if window is None else
                     transport.open_session(window_size=window, max_packet_size=32768,
                                            timeout=timeout))
        self.chan.invoke_subsystem("netconf")
        self.chan.settimeout(timeout)
        self._buf = b""
        self.server_hello = self.recv_message()
        if hello:
            self.send(HELLO)

    def send(self, data: bytes) -> None:
        """Send raw bytes."""
        self.chan.sendall(data)

    def recv_message(self, timeout: float | None = None) -> bytes:
        """Return the next ``]]>]]>``-framed message.  Raises WireTimeout, EOFError."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while EOM not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WireTimeout(f"no reply within {timeout or self.timeout:g} s")
            self.chan.settimeout(left)
            try:
                chunk = self.chan.recv(65536)
            except TimeoutError as exc:
                raise WireTimeout(f"no reply within {timeout or self.timeout:g} s") from exc
            if not chunk:
                raise EOFError("the server closed the session")
            self._buf += chunk
        message, _, self._buf = self._buf.partition(EOM)
        return message.strip()

    def call(self, body: str, timeout: float | None = None) -> str:
        """Send ``<rpc>body</rpc>`` and return the reply text."""
        self.send(rpc(body))
        return self.recv_message(timeout).decode("utf-8", "replace")

    def closed(self, timeout: float = 10.0) -> bool:
        """Return True once the server has closed the channel (within ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.chan.closed or self.chan.eof_received or not self.transport.is_active():
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        """Close the SSH connection, or the channel on a shared one (no close-session)."""
        if self.ssh is not None:
            self.ssh.close()
        else:
            self.chan.close()


def control_rpc(name: str, **children: str) -> str:
    """Return the body of control RPC ``name`` with text ``children`` (``re="re0"``)."""
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in children.items())
    return f'<{name} xmlns="{CONTROL_NS}">{inner}</{name}>'


def control(served: Served, name: str, **children: str) -> str:
    """Send one control RPC over a fresh control session; return the reply text."""
    host, port = served.endpoints["control"]
    client = Client(host, port, "re-control", "re-control")
    try:
        return client.call(control_rpc(name, **children))
    finally:
        client.close()


# ----------------------------------------------------------------------------- the relay
class Frozen:
    """A TCP relay to ``target`` whose client side can stop reading (``freeze()``): the
    server's bytes pile up in the socket buffers as with a client that stopped reading."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()[:2]
        self.frozen = threading.Event()
        self.dead = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._start(self._accept)

    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                near, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.dead.is_set():
                near.close()  # nothing answers here any more
                continue
            far = socket.create_connection(self.target, timeout=10)
            # Small buffers, so a frozen relay stops the server's writes quickly.
            for sock in (near, far):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
                self._socks.append(sock)
            self._start(self._pipe, near, far, False)
            self._start(self._pipe, far, near, True)

    def _pipe(self, src: socket.socket, dst: socket.socket, from_server: bool) -> None:
        src.settimeout(0.2)
        while not self._stop.is_set():
            if from_server and self.frozen.is_set():
                time.sleep(0.05)  # reads nothing more: the server's window and buffers fill
                continue
            try:
                data = src.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                return
            with contextlib.suppress(OSError):
                dst.sendall(data)

    def freeze(self) -> None:
        """Stop reading what the server sends."""
        self.frozen.set()

    def cut(self) -> None:
        """Drop every connection and answer no new one (what is sent is lost): a server that
        only stopped replying, seen from its client."""
        self.dead.set()
        for sock in self._socks:
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        """Stop relaying and close every socket."""
        self._stop.set()
        self.listener.close()
        for sock in self._socks:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(5)


def rss_kib(pid: int) -> int:
    """Return the resident set size of process ``pid`` in KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def connect_raw(address: Sequence[object], timeout: float = 10.0) -> socket.socket:
    """Return a plain TCP connection to ``address`` (a silent client)."""
    host, port = address[0], address[1]
    return socket.create_connection((str(host), int(str(port))), timeout=timeout)


def latencies(client: Client, count: int,
              body: str = "<get-route-engine-information/>") -> list[float]:
    """Return ``count`` round trips of ``body`` on ``client``, one after the other (seconds)."""
    took = []
    for _ in range(count):
        started = time.monotonic()
        client.call(body)
        took.append(time.monotonic() - started)
    return took
