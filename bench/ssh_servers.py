"""Which SSH library should serve the emulator's sessions: asyncssh or paramiko, side by side.

Three servers, each a process of its own on loopback, measured in one run with the same client:
  paramiko   a paramiko ``ServerInterface`` echo server, a thread per connection (the transport)
             plus one per channel: the shape of the emulator before issue 15
  asyncssh   an asyncssh echo server on one event loop, callbacks only
  emulator   ``re-emulator serve`` (asyncssh face, one loop), one router, get-route-engine-
             information answered from the model

The client is asyncssh on one loop in this process, with the cipher and MAC a paramiko client
(ncclient, the harness) negotiates (aes128-ctr, hmac-sha2-256), on every server alike.  The echo
servers speak just enough NETCONF 1.0 for the client: a hello, then one fixed ~1.5 KB
reply per ``]]>]]>``-framed request.  For each server and each session count N (default 10 and
200): memory per held session (RSS growth / N after opening N sessions, hellos exchanged),
server CPU per RPC (utime+stime of the server process over ``--rpcs`` RPCs, one at a time,
round robin over the sessions), the RPC median seen by the client, and the server's idle CPU over
2 s with N sessions held.  Ratios are to paramiko in the same run.  Every wait is bounded.

    python bench/ssh_servers.py [--sessions 10 200] [--rpcs 2000]
    python bench/ssh_servers.py --serve paramiko|asyncssh   (used by the benchmark itself)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

EOM = b"]]>]]>"
USER, PASSWORD = "lab", "lab123"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
SERVER_HELLO = (f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
                f"</capability></capabilities><session-id>1</session-id></hello>").encode() + EOM
CLIENT_HELLO = (f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
                f"</capability></capabilities></hello>").encode() + EOM
REPLY = (f'<rpc-reply xmlns="{NC}"><route-engine-information>'
         + "<route-engine><slot>0</slot><mastership-state>master</mastership-state></route-engine>"
         * 16 + "</route-engine-information></rpc-reply>").encode() + EOM
RPC = f'<rpc message-id="1" xmlns="{NC}"><get-route-engine-information/></rpc>'.encode() + EOM
TESTBED = """\
routers:
  b1:
    platform: MX480
    emulated: true
    re0: {host: 127.0.0.1, port: 0}
    credentials: {username: lab, password: lab123}
    control: {username: ctl, password: ctl}
    # Junos's highest connection-limit and rate-limit: the benchmarks hold 200 sessions.
    emulator:
      limits: {connection_limit: 250, rate_limit: 250}
"""
TIMEOUT = 120.0


# ----------------------------------------------------------------------------- servers
def serve_paramiko(sock: socket.socket) -> None:
    """Thread-per-connection paramiko echo server (runs until killed)."""
    import paramiko

    key = paramiko.ECDSAKey.generate(bits=256)

    class Interface(paramiko.ServerInterface):
        def get_allowed_auths(self, username: str) -> str:
            return "password"

        def check_auth_password(self, username: str, password: str) -> int:
            ok = (username, password) == (USER, PASSWORD)
            return paramiko.common.AUTH_SUCCESSFUL if ok else paramiko.common.AUTH_FAILED

        def check_channel_request(self, kind: str, chanid: int) -> int:
            return paramiko.common.OPEN_SUCCEEDED

        def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
            threading.Thread(target=echo, args=(channel,), daemon=True).start()
            return True

    def echo(channel: paramiko.Channel) -> None:
        channel.sendall(SERVER_HELLO)
        buf = b""
        while data := channel.recv(65536):
            buf += data
            while EOM in buf:
                message, _, buf = buf.partition(EOM)
                if b"<hello" not in message:
                    channel.sendall(REPLY)

    def connection(conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        transport.add_server_key(key)
        transport.start_server(server=Interface())

    while True:
        conn, _ = sock.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=connection, args=(conn,), daemon=True).start()


def serve_asyncssh(sock: socket.socket) -> None:
    """One-loop asyncssh echo server (runs until killed)."""
    import asyncssh

    class Session(asyncssh.SSHServerSession[bytes]):
        def __init__(self) -> None:
            self.chan: asyncssh.SSHServerChannel[bytes] | None = None
            self.buf = b""

        def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
            self.chan = chan

        def subsystem_requested(self, subsystem: str) -> bool:
            return True

        def session_started(self) -> None:
            assert self.chan is not None
            self.chan.write(SERVER_HELLO)

        def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
            assert self.chan is not None
            self.buf += data
            while EOM in self.buf:
                message, _, self.buf = self.buf.partition(EOM)
                if b"<hello" not in message:
                    self.chan.write(REPLY)

    class Server(asyncssh.SSHServer):
        def begin_auth(self, username: str) -> bool:
            return True

        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, password: str) -> bool:
            return (username, password) == (USER, PASSWORD)

        def session_requested(self) -> Session:
            return Session()

    async def main() -> None:
        key = asyncssh.generate_private_key("ecdsa-sha2-nistp256")
        await asyncssh.listen(sock=sock, server_host_keys=[key], server_factory=Server,
                              encoding=None)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve(kind: str, port_file: str) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    Path(port_file).write_text(str(sock.getsockname()[1]))
    (serve_paramiko if kind == "paramiko" else serve_asyncssh)(sock)


# ----------------------------------------------------------------------------- measuring
def process_tree(roots: list[int]) -> dict[int, tuple[float, int]]:
    """Return (CPU seconds, RSS KiB) of each of ``roots`` and of every process below them (a
    server's workers, sshd's per-session children)."""
    tick, page_kib = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE") // 1024
    stats: dict[int, tuple[int, float, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick,
                             int(fields[21]) * page_kib)
    keep = set(roots)
    while more := {pid for pid, st in stats.items() if st[0] in keep} - keep:
        keep |= more  # bounded: every pass adds processes from a finite table
    return {pid: stats[pid][1:] for pid in keep if pid in stats}


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int

    def rss_kib(self) -> int:
        """Return the RSS of the server process and its children (shard workers)."""
        return sum(rss for _, rss in process_tree([self.proc.pid]).values())

    def cpu_seconds(self) -> float:
        """Return the CPU time of the server process and its children (shard workers)."""
        return sum(cpu for cpu, _ in process_tree([self.proc.pid]).values())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(TIMEOUT)


def start(kind: str, workdir: Path, config: str = "") -> Server:
    """Start the server ``kind``; the emulator's router starts from ``config`` (``set``
    commands, applied on both REs) when given, else from the emulator's default."""
    if kind == "emulator":
        testbed = workdir / "testbed.yaml"
        lines = [f"        {line}\n" for line in config.splitlines() if line.strip()]
        testbed.write_text(TESTBED + ("      config: |\n" + "".join(lines) if lines else ""))
        proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--time", "virtual",
                                 "--testbed", str(testbed)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode()
            if line.startswith("b1 re0 "):
                return Server(kind, proc, int(line.rsplit(":", 1)[1]))
        raise RuntimeError("the emulator printed no endpoint")
    port_file = workdir / f"{kind}.port"
    port_file.unlink(missing_ok=True)  # a file left by the previous server of this kind
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port-file",
                             str(port_file)])
    deadline = time.monotonic() + TIMEOUT
    while not port_file.exists() or not port_file.read_text():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"{kind} server did not start")
        time.sleep(0.05)
    return Server(kind, proc, int(port_file.read_text()))


async def open_session(port: int, host: str = "127.0.0.1") -> tuple[object, object, object]:
    import asyncssh

    # The algorithms a paramiko client (ncclient, the harness) negotiates, on every server.
    conn = await asyncssh.connect(host, port, username=USER, password=PASSWORD,
                                  known_hosts=None, client_keys=None, agent_path=None,
                                  encryption_algs=["aes128-ctr"], mac_algs=["hmac-sha2-256"],
                                  compression_algs=None)
    writer, reader, _ = await conn.open_session(subsystem="netconf", encoding=None)
    await asyncio.wait_for(reader.readuntil(EOM), TIMEOUT)
    writer.write(CLIENT_HELLO)
    return conn, writer, reader


async def rpc(writer: object, reader: object) -> float:
    start = time.perf_counter()
    writer.write(RPC)  # type: ignore[attr-defined]
    await asyncio.wait_for(reader.readuntil(EOM), TIMEOUT)  # type: ignore[attr-defined]
    return time.perf_counter() - start


@dataclass
class Row:
    server: str
    sessions: int
    kib_per_session: float
    cpu_ms_per_rpc: float
    median_ms: float
    idle_ms_per_s: float


async def measure(server: Server, n: int, rpcs: int) -> Row:
    warm = await open_session(server.port)  # imports, key exchange code paths, first session
    await rpc(warm[1], warm[2])
    before = server.rss_kib()
    sessions = []
    for _ in range(n):  # one at a time: set-up is not what is measured here
        sessions.append(await open_session(server.port))
    await asyncio.sleep(0.5)
    held = server.rss_kib()
    for _, writer, reader in sessions:
        await rpc(writer, reader)  # every session once before the measured rounds
    cpu0 = server.cpu_seconds()
    times = [await rpc(*sessions[i % n][1:]) for i in range(rpcs)]
    cpu1 = server.cpu_seconds()
    await asyncio.sleep(2.0)
    idle = (server.cpu_seconds() - cpu1) / 2.0
    for conn, *_ in [*sessions, warm]:
        conn.close()  # type: ignore[attr-defined]
    return Row(server.name, n, (held - before) / n, (cpu1 - cpu0) * 1000 / len(times),
               statistics.median(times) * 1000, idle * 1000)


def run(counts: list[int], rpcs: int) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            for kind in ("paramiko", "asyncssh", "emulator"):
                server = start(kind, Path(tmp))
                try:
                    rows.append(asyncio.run(measure(server, n, rpcs)))
                finally:
                    server.stop()
    return rows


def report(rows: list[Row]) -> None:
    print(f"{'server':<10} {'sessions':>8} {'KiB/session':>12} {'x':>6} {'CPU ms/RPC':>11} "
          f"{'x':>6} {'RPC median ms':>14} {'idle CPU ms/s':>14}")
    for row in rows:
        ref = next(r for r in rows if r.server == "paramiko" and r.sessions == row.sessions)
        print(f"{row.server:<10} {row.sessions:>8} {row.kib_per_session:>12.1f} "
              f"{row.kib_per_session / ref.kib_per_session:>6.2f} {row.cpu_ms_per_rpc:>11.3f} "
              f"{row.cpu_ms_per_rpc / ref.cpu_ms_per_rpc:>6.2f} {row.median_ms:>14.3f} "
              f"{row.idle_ms_per_s:>14.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 200])
    parser.add_argument("--rpcs", type=int, default=2000)
    parser.add_argument("--serve", choices=["paramiko", "asyncssh"], help=argparse.SUPPRESS)
    parser.add_argument("--port-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port_file)
        return 0
    report(run(args.sessions, args.rpcs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
