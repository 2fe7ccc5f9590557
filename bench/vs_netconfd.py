"""The emulator against a real NETCONF server, side by side in one run: yuma123 ``netconfd``
behind OpenSSH ``sshd``.

Two servers, each started by this script on loopback and stopped afterwards:
  netconfd   yuma123 ``netconfd`` behind ``sshd`` (its ``netconf-subsystem`` per session), built
             and started by ``tests/integration/netconfd.py`` (Debian packages netconfd and
             openssh-server; ``.ci/run`` installs them), NETCONF 1.0 only
  emulator   ``re-emulator serve --time virtual``, one MX480 router (asyncssh face, one loop)
             starting from the MX lab base configuration (``tests/unit/data/mx-lab-base.set``:
             groups, system services and syslog, interfaces, chassis redundancy, routing options)

The client is asyncssh on one loop in this process (``bench/ssh_servers.py``'s algorithms:
aes128-ctr, hmac-sha2-256, what a paramiko client negotiates), NETCONF 1.0 framing, the same
for both.  The RPC is ``<get-config><source><running/></source></get-config>`` with a new
message-id each time.  For each server and session count N (default 10 and 100):

  set-up      median time to open one session (SSH handshake, subsystem, both hellos)
  KiB/session RSS growth of the server's processes / N once N sessions are held
  CPU/RPC     utime+stime of every server process (netconfd, sshd and all its children;
              the emulator's one process) over ``--rpcs`` RPCs sent one at a time, round robin
  median      the RPC round trip seen by the client over those RPCs
  RPC/s       aggregate: every session sends back to back for ``--seconds``, RPCs answered / s
  reply bytes the size of one get-config reply

netconfd starts from a configuration at least as large as the emulator's (``--netconfd-config
matched``, the default): the script reads the emulator's get-config reply once, then writes a
startup file of ``ietf-interfaces`` entries (each with a description, type and state) and an
``ietf-system`` hostname, scaled (one calibration run of netconfd, which indents its replies)
so that netconfd's reply is as many bytes as the emulator's, and netconfd loads those modules
and starts from it; ``empty`` starts netconfd with ``--no-startup`` (a nearly
empty ``<data>`` against the emulator's whole Junos configuration, which flatters netconfd's
figures per RPC).

Ratios are emulator / netconfd within the same run.  The whole run is repeated ``--repeat``
times, servers alternating, and the median of each figure is printed: CPU is counted in 10 ms
ticks and the machine may be shared.  The client runs on the same machine; on a 2-core machine
the aggregate RPC/s is bounded by the client's core for both servers alike.  Every wait is
bounded.

    python bench/vs_netconfd.py [--sessions 10 100] [--rpcs 2000] [--seconds 3] [--repeat 3]
                                [--netconfd-config matched | empty]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package: netconfd

import asyncssh  # noqa: E402
from ssh_servers import CLIENT_HELLO, EOM, NC, PASSWORD, TIMEOUT, USER, process_tree  # noqa: E402
from ssh_servers import start as start_python_server  # noqa: E402

from tests.integration.netconfd import netconfd_server  # noqa: E402


# ----------------------------------------------------------------------------- servers
@dataclass
class Target:
    """A server under test: how to connect, and the processes that serve it."""

    name: str
    port: int
    roots: list[int]
    connect: dict[str, Any]

    def cpu(self) -> float:
        return sum(cpu for cpu, _ in process_tree(self.roots).values())

    def rss_kib(self) -> int:
        return sum(rss for _, rss in process_tree(self.roots).values())


#: The emulator's router starts from the realistic MX lab base configuration of the tests.
LAB_BASE = Path(__file__).resolve().parents[1] / "tests" / "unit" / "data" / "mx-lab-base.set"


@contextmanager
def _emulator(workdir: Path) -> Any:
    server = start_python_server("emulator", workdir, LAB_BASE.read_text())
    try:
        yield Target("emulator", server.port, [server.proc.pid],
                     {"username": USER, "password": PASSWORD, "client_keys": None})
    finally:
        server.stop()


#: The modules netconfd loads to start from a configuration (matched mode).
NETCONFD_MODULES = ("iana-if-type", "ietf-interfaces", "ietf-system")


def netconfd_startup(size: int) -> str:
    """Return a netconfd startup configuration of at least ``size`` bytes: interfaces of
    ``ietf-interfaces`` (described, typed, enabled) and a hostname of ``ietf-system``."""
    head = (f'<config xmlns="{NC}">\n<system xmlns="urn:ietf:params:xml:ns:yang:ietf-system">'
            "<hostname>r1</hostname><contact>lab</contact></system>\n"
            '<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces">\n')
    tail = "</interfaces>\n</config>\n"
    parts, total, k = [head], len(head) + len(tail), 0
    while total < size:
        entry = (f"<interface><name>ge-{k // 40}/{k // 10 % 4}/{k % 10}</name><description>"
                 f"core link {k} to the aggregation layer</description><type xmlns:ianaift="
                 '"urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type>'
                 "<enabled>true</enabled></interface>\n")
        parts.append(entry)
        total += len(entry)
        k += 1
    return "".join(parts) + tail


def _netconfd_starter(reply_bytes: int | None) -> Callable[[Path], AbstractContextManager[Target]]:
    """Return the starter of netconfd: from a startup of ``reply_bytes`` bytes, or empty."""
    return lambda workdir: _netconfd(workdir, reply_bytes)


@contextmanager
def _netconfd(workdir: Path, reply_bytes: int | None = None) -> Any:
    directory = workdir / "netconfd"
    directory.mkdir(exist_ok=True)
    startup = None
    if reply_bytes is not None:
        startup = directory / "startup.xml"
        startup.write_text(netconfd_startup(reply_bytes))
    with netconfd_server(directory, protocols="netconf1.0", startup=startup,
                         modules=NETCONFD_MODULES if startup else ()) as server:
        pids = [int((directory / "sshd.pid").read_text())] if (directory / "sshd.pid").exists() \
            else []
        pids += _netconfd_pids(directory)
        yield Target("netconfd", server.port, pids,
                     {"username": server.username, "client_keys": [server.key_file]})


def _netconfd_pids(directory: Path) -> list[int]:
    """Return the netconfd daemon's pid (its command line names the socket in ``directory``)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0].endswith(b"netconfd") and any(str(directory).encode() in a for a in cmd):
            pids.append(int(entry))
    return pids


# ----------------------------------------------------------------------------- client
class Session:
    """One NETCONF 1.0 session over asyncssh."""

    def __init__(self, conn: Any, writer: Any, reader: Any) -> None:
        self.conn, self.writer, self.reader = conn, writer, reader
        self.message_id = 0
        self.reply_bytes = 0

    async def rpc(self) -> float:
        self.message_id += 1
        request = (f'<rpc message-id="{self.message_id}" xmlns="{NC}"><get-config><source>'
                   f"<running/></source></get-config></rpc>").encode() + EOM
        start = time.perf_counter()
        self.writer.write(request)
        reply = await asyncio.wait_for(self.reader.readuntil(EOM), TIMEOUT)
        elapsed = time.perf_counter() - start
        if b"<data" not in reply:
            raise RuntimeError(f"not a get-config reply: {reply[:300]!r}")
        self.reply_bytes = len(reply)
        return elapsed


async def open_session(target: Target) -> Session:
    conn = await asyncssh.connect("127.0.0.1", target.port, known_hosts=None, agent_path=None,
                                  encryption_algs=["aes128-ctr"], mac_algs=["hmac-sha2-256"],
                                  compression_algs=None, **target.connect)
    writer, reader, _ = await conn.open_session(subsystem="netconf", encoding=None)
    await asyncio.wait_for(reader.readuntil(EOM), TIMEOUT)
    writer.write(CLIENT_HELLO)
    return Session(conn, writer, reader)


@dataclass
class Row:
    server: str
    sessions: int
    setup_ms: float
    kib_per_session: float
    cpu_ms_per_rpc: float
    median_ms: float
    rpc_per_s: float
    reply_bytes: float


async def _burst(sessions: list[Session], seconds: float) -> int:
    """Every session sends back to back until ``seconds`` have passed; return RPCs answered."""
    deadline = time.perf_counter() + seconds

    async def one(session: Session) -> int:
        done = 0
        while time.perf_counter() < deadline:
            await session.rpc()
            done += 1
        return done

    return sum(await asyncio.gather(*(one(s) for s in sessions)))


async def measure(target: Target, n: int, rpcs: int, seconds: float) -> Row:
    warm = await open_session(target)  # code paths, caches, the first session's costs
    await warm.rpc()
    await asyncio.sleep(0.3)
    before = target.rss_kib()
    sessions, setups = [], []
    for _ in range(n):
        start = time.perf_counter()
        sessions.append(await open_session(target))
        setups.append(time.perf_counter() - start)
    for session in sessions:
        await session.rpc()  # every session once (and its hello answered) before measuring
    await asyncio.sleep(0.3)
    held = target.rss_kib()
    cpu0 = target.cpu()
    times = [await sessions[i % n].rpc() for i in range(rpcs)]
    cpu1 = target.cpu()
    start = time.perf_counter()
    answered = await _burst(sessions, seconds)
    rate = answered / (time.perf_counter() - start)
    for session in [*sessions, warm]:
        session.conn.close()
    return Row(target.name, n, statistics.median(setups) * 1000, (held - before) / n,
               (cpu1 - cpu0) * 1000 / rpcs, statistics.median(times) * 1000, rate,
               warm.reply_bytes)


# ----------------------------------------------------------------------------- run
async def _reply_bytes(target: Target) -> int:
    """Return the size of one get-config reply of ``target``."""
    session = await open_session(target)
    try:
        await session.rpc()
        return session.reply_bytes
    finally:
        session.conn.close()


def _matched_size(workdir: Path) -> int:
    """Return the startup size that makes netconfd's get-config reply the size of the
    emulator's (netconfd indents its reply: one calibration run scales the file)."""
    (workdir / "size").mkdir()
    with _emulator(workdir / "size") as target:
        want = asyncio.run(_reply_bytes(target))
    (workdir / "calibrate").mkdir()
    with _netconfd(workdir / "calibrate", want) as target:
        got = asyncio.run(_reply_bytes(target))
    size = want * want // got
    print(f"get-config reply: emulator {want} bytes; netconfd {got} bytes from a {want}-byte "
          f"startup, so its startup is {size} bytes", flush=True)
    return size


def run(counts: list[int], rpcs: int, seconds: float, repeat: int,
        netconfd_config: str = "matched") -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        size = None
        if netconfd_config == "matched":
            size = _matched_size(Path(tmp))
        starters = [_netconfd_starter(size), _emulator]
        for round_ in range(repeat):
            for n in counts:
                for starter in starters if round_ % 2 == 0 else starters[::-1]:
                    workdir = Path(tmp) / f"{round_}-{n}"
                    workdir.mkdir(exist_ok=True)
                    with starter(workdir) as target:
                        rows.append(asyncio.run(measure(target, n, rpcs, seconds)))
                    print("run:", rows[-1], flush=True)
    return rows


def medians(rows: list[Row]) -> list[Row]:
    """Return one row per (server, sessions): the median of each figure over the repeats."""
    out = []
    for key in dict.fromkeys((r.server, r.sessions) for r in rows):
        group = [r for r in rows if (r.server, r.sessions) == key]
        values = {f.name: statistics.median(getattr(r, f.name) for r in group)
                  for f in fields(Row) if f.name not in ("server", "sessions")}
        out.append(Row(key[0], key[1], **values))
    return out


def report(rows: list[Row]) -> None:
    names = [f.name for f in fields(Row)][2:]
    print(f"{'server':<9} {'sessions':>8} " + " ".join(f"{n:>15}" for n in names))
    for row in rows:
        print(f"{row.server:<9} {row.sessions:>8} "
              + " ".join(f"{getattr(row, n):>15.3f}" for n in names))
    print("\nratio emulator / netconfd (CPU, median, set-up, memory: lower is better; "
          "RPC/s: higher is better; reply bytes: 1.00 when matched)")
    for row in rows:
        if row.server != "emulator":
            continue
        ref = next(r for r in rows if r.server == "netconfd" and r.sessions == row.sessions)
        print(f"{'':<9} {row.sessions:>8} "
              + " ".join(f"{getattr(row, n) / getattr(ref, n):>15.2f}" for n in names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--rpcs", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--netconfd-config", choices=["matched", "empty"], default="matched",
                        help="netconfd starts from a configuration the size of the emulator's "
                             "get-config reply (matched) or from none (empty)")
    args = parser.parse_args(argv)
    rows = run(args.sessions, args.rpcs, args.seconds, args.repeat, args.netconfd_config)
    print()
    report(medians(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
