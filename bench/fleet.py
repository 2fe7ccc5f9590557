"""Serving a fleet: the 100-router testbed (every catalogue platform), side by side with references.

Two servers, each ``re-emulator serve --time virtual --testbed FLEET`` in a process of its own
(``--time real``: the routers on the wall clock, as against lab timing; the idle CPU then shows
whether any per-router timer ticks):
  current   this checkout: one asyncio loop (asyncssh) for every session
  022aa66   the thread-per-session paramiko server of commit 022aa66 (before issue 15), run from
            ``git archive 022aa66`` unpacked into a temporary directory (``--reference``)

Two fleets, each written by ``re-emulator fleet`` (routers take the catalogue's 14 platforms in
turn; single-RE routers have one RE): 100 routers, and 10 as the reference point of scale. For each
server and fleet, measured in one run: the start time (spawn to every listener up: the banner's
last line), the server's RSS idle and with one NETCONF session held on every RE (KiB per session),
the time to open those sessions (16 at a time), one RPC on every session at once (``get-route-
engine-information``: the round's wall time, the server's CPU per RPC, the median and p95 of each
RPC), the server's CPU per session opened, and its idle CPU over ``--idle`` seconds with no session
and with every session held. The client is the one of ``bench/ssh_servers.py`` (asyncssh, one loop,
NETCONF 1.0 framing, the algorithms a paramiko client negotiates) on every server alike. Ratios:
the current server to the reference on the same fleet, and each server's 100-router fleet to its
10-router one. The RPC round runs ``--rounds`` times (CPU per RPC over all of them, the round's
median wall time), and each server and fleet ``--repeat`` times in fresh processes (the median of
each figure is reported): CPU is counted in 10 ms ticks and the machine may be shared. On a loaded
machine the wall-clock figures can favour the reference, whose hundreds of threads each take a
share of the scheduler where the current server's one loop takes one; CPU per RPC and per session
opened are the figures a busy machine does not skew. Every wait is bounded.

A fleet of more than ``--shard-above`` routers (default 2,000) is served by the current server as
``serve --workers 2`` (two shard processes, one per core, the routers spread over two loopback
hosts as over two machines: ``SHARD_HOSTS``; its CPU and RSS are the sum over the
parent and both shards) and not by the reference; the issue's scale points are
``--fleets 100 1000 2000 5000 --reference none``.  ``re-emulator fleet`` gives single-RE
platforms one RE, so a fleet of N routers holds fewer than 2N sessions (the table says how many);
``--dual-re`` takes the dual-RE platforms only (N routers, 2N sessions: the issue's "2,000
dual-RE routers, 4,000 sessions" is ``--fleets 2000 --dual-re --reference none``).

    python bench/fleet.py [--fleets 10 100] [--reference 022aa66 | none] [--idle 5]
                          [--rounds 20] [--repeat 3] [--shard-above 2000] [--dual-re]
                          [--time virtual | real]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ssh_servers import TIMEOUT, Server, open_session, rpc

from emulator.app import READY
from emulator.fleet import dual_re_platforms, fleet_yaml

REPO = Path(__file__).resolve().parents[1]
#: The banner's line both servers print once every listener is up.
LAST_LINE = "# NETCONF:"
#: The loopback hosts of a sharded fleet, one per shard, as if two machines served it (shard i
#: serves host i's routers).  One address would also do, but Linux gives ``bind()`` to port 0
#: the odd half of the ephemeral range (14,116 ports here) and its search for a free one grows
#: quadratic as that half fills: 5,000 dual-RE routers are 15,000 listeners (re0, re1, the
#: master-only address): binding them took 7 s in one process and 27 s for two shards at once
#: on one address, 0.4 s a shard on two.
SHARD_HOSTS = ("127.0.0.1", "127.0.0.2")
#: Sessions opened at a time.
OPENING = 16


@dataclass
class Row:
    server: str
    routers: int
    sessions: int
    start_s: float
    rss_idle_mib: float
    kib_per_session: float
    open_s: float
    open_cpu_ms: float
    round_s: float
    round_cpu_ms: float
    rpc_median_ms: float
    rpc_p95_ms: float
    idle_cpu_ms_per_s: float
    held_cpu_ms_per_s: float


def reference_tree(commit: str, workdir: Path) -> Path:
    """Unpack ``git archive <commit>`` of this repository into ``workdir``; return it."""
    tree = workdir / f"ref-{commit}"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], check=True,
                             capture_output=True, timeout=TIMEOUT).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True, timeout=TIMEOUT)
    return tree


def spawn(name: str, testbed: Path, tree: Path | None, workers: int = 1,
          time_mode: str = "virtual") -> tuple[Server, list[tuple[str, int]], float]:
    """Start ``serve`` of ``testbed`` (from ``tree``, else this checkout; ``--workers`` shard
    processes when ``workers`` > 1); return the server, the (host, port) of its REs and the seconds
    until its banner's last line (with workers: the ready line, once every shard is up)."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    t0 = time.monotonic()
    cmd = [sys.executable, "-m", "emulator", "serve", "--time", time_mode, "--testbed",
           str(testbed)]
    last = LAST_LINE
    if workers > 1:
        cmd += ["--workers", str(workers)]
        last = READY
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, cwd=str(tree or REPO))
    assert proc.stdout is not None
    ports: list[tuple[str, int]] = []
    deadline = t0 + TIMEOUT
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if not line:
            raise RuntimeError(f"{name} exited: status {proc.wait(TIMEOUT)}")
        if line.startswith(last):
            return Server(name, proc, 0), ports, time.monotonic() - t0
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#") and parts[1] in ("re0", "re1"):
            host, port = parts[2].rsplit(":", 1)
            ports.append((host, int(port)))
    proc.kill()
    raise RuntimeError(f"{name} did not come up within {TIMEOUT:g} s")


async def idle_cpu(server: Server, seconds: float) -> float:
    """Return the server's CPU ms per second over ``seconds`` of nothing asked."""
    cpu0 = server.cpu_seconds()
    await asyncio.sleep(seconds)
    return (server.cpu_seconds() - cpu0) * 1000 / seconds


async def measure(server: Server, ports: list[tuple[str, int]], routers: int, start_s: float,
                  idle: float, rounds: int) -> Row:
    await asyncio.sleep(0.5)
    rss_idle = server.rss_kib()
    idle_ms = await idle_cpu(server, idle)
    gate = asyncio.Semaphore(OPENING)

    async def opened(where: tuple[str, int]) -> tuple[object, object, object]:
        async with gate:
            return await asyncio.wait_for(open_session(where[1], where[0]), TIMEOUT)

    t0, cpu0 = time.monotonic(), server.cpu_seconds()
    sessions = await asyncio.gather(*(opened(port) for port in ports))
    open_s, open_cpu = time.monotonic() - t0, server.cpu_seconds() - cpu0
    for _, writer, reader in sessions:  # the client's hello answered before the round
        await rpc(writer, reader)
    await asyncio.sleep(0.5)
    held = server.rss_kib()
    times: list[float] = []
    walls: list[float] = []
    cpu0 = server.cpu_seconds()
    for _ in range(rounds):
        t0 = time.monotonic()
        times += await asyncio.gather(*(rpc(writer, reader) for _, writer, reader in sessions))
        walls.append(time.monotonic() - t0)
    round_s, round_cpu = statistics.median(walls), (server.cpu_seconds() - cpu0) / rounds
    held_ms = await idle_cpu(server, idle)
    for conn, *_ in sessions:
        conn.close()  # type: ignore[attr-defined]
    ordered = sorted(times)
    return Row(server.name, routers, len(sessions), start_s, rss_idle / 1024,
               (held - rss_idle) / len(sessions), open_s, open_cpu * 1000 / len(sessions),
               round_s, round_cpu * 1000 / len(sessions),
               statistics.median(ordered) * 1000,
               ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, idle_ms, held_ms)


def run(fleets: list[int], reference: str | None, idle: float, rounds: int, repeat: int,
        shard_above: int = 2000, dual_re: bool = False, time_mode: str = "virtual"
        ) -> list[Row]:
    """Measure every server on every fleet ``repeat`` times; return the median row of each.
    A fleet of more than ``shard_above`` routers is served by two shard processes
    (``--workers 2``: one per core) by the current server, and not by the reference."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        servers: list[tuple[str, Path | None]] = [("current", None)]
        if reference:
            servers.append((reference, reference_tree(reference, workdir)))
        for routers in fleets:
            testbed = workdir / f"fleet-{routers}.yaml"
            workers = 2 if routers > shard_above else 1
            testbed.write_text(fleet_yaml(
                routers, platforms=dual_re_platforms() if dual_re else None,
                hosts=SHARD_HOSTS[:workers]))
            for name, tree in servers if workers == 1 else servers[:1]:
                runs = []
                for _ in range(repeat):
                    server, ports, start_s = spawn(name if workers == 1 else f"{name}/2",
                                                   testbed, tree, workers, time_mode)
                    try:
                        runs.append(asyncio.run(measure(server, ports, routers, start_s, idle,
                                                        rounds)))
                    finally:
                        server.stop()
                rows.append(_median(runs))
    return rows


def _median(runs: list[Row]) -> Row:
    """Return the row of the medians of each measure over ``runs``."""
    first = runs[0]
    values = {f.name: statistics.median(getattr(r, f.name) for r in runs)
              for f in dataclasses.fields(Row) if f.name not in ("server", "routers", "sessions")}
    return Row(first.server, first.routers, first.sessions, **values)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def report(rows: list[Row]) -> None:
    print(f"{'server':<8} {'routers':>7} {'sessions':>8} {'start s':>8} {'RSS MiB':>8} "
          f"{'KiB/sess':>9} {'open s':>7} {'CPU ms/open':>11} {'round s':>8} "
          f"{'CPU ms/RPC':>10} {'RPC med ms':>10} {'p95 ms':>8} {'idle ms/s':>9} "
          f"{'held ms/s':>9}")
    for r in rows:
        print(f"{r.server:<8} {r.routers:>7} {r.sessions:>8} {r.start_s:>8.2f} "
              f"{r.rss_idle_mib:>8.1f} {r.kib_per_session:>9.1f} {r.open_s:>7.2f} "
              f"{r.open_cpu_ms:>11.2f} {r.round_s:>8.3f} {r.round_cpu_ms:>10.2f} "
              f"{r.rpc_median_ms:>10.2f} {r.rpc_p95_ms:>8.2f} "
              f"{r.idle_cpu_ms_per_s:>9.2f} {r.held_cpu_ms_per_s:>9.2f}")
    names = list(dict.fromkeys(r.server for r in rows if "/" not in r.server))
    if len(names) > 1:
        print(f"\nratios {names[0]} / {names[1]} (same fleet):")
        for r in (r for r in rows if r.server == names[0]):
            ref = next((x for x in rows if x.server == names[1] and x.routers == r.routers),
                       None)
            if ref is None:  # a sharded fleet: the reference did not serve it
                continue
            print(f"  {r.routers:>4} routers: start {_ratio(r.start_s, ref.start_s)}, RSS "
                  f"{_ratio(r.rss_idle_mib, ref.rss_idle_mib)}, KiB/session "
                  f"{_ratio(r.kib_per_session, ref.kib_per_session)}, CPU/open "
                  f"{_ratio(r.open_cpu_ms, ref.open_cpu_ms)}, CPU/RPC "
                  f"{_ratio(r.round_cpu_ms, ref.round_cpu_ms)}, round "
                  f"{_ratio(r.round_s, ref.round_s)}, RPC median "
                  f"{_ratio(r.rpc_median_ms, ref.rpc_median_ms)}, held idle CPU "
                  f"{_ratio(r.held_cpu_ms_per_s, ref.held_cpu_ms_per_s)}")
    sizes = sorted({r.routers for r in rows})
    if len(sizes) > 1:
        print(f"\nscale {sizes[-1]} / {sizes[0]} routers (same server):")
        for name in names:
            mine = [r for r in rows if r.server == name]
            big, small = max(mine, key=lambda r: r.routers), min(mine, key=lambda r: r.routers)
            if big is small:
                continue
            print(f"  {name:<8}: start {_ratio(big.start_s, small.start_s)}, RSS "
                  f"{_ratio(big.rss_idle_mib, small.rss_idle_mib)}, round "
                  f"{_ratio(big.round_s, small.round_s)}, RPC median "
                  f"{_ratio(big.rpc_median_ms, small.rpc_median_ms)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fleets", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--reference", default="022aa66",
                        help="commit of the reference server ('none': the current one only)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU measured")
    parser.add_argument("--rounds", type=int, default=20,
                        help="rounds of one RPC on every session (CPU and latency over all)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each server on each fleet (the median is reported)")
    parser.add_argument("--shard-above", type=int, default=2000,
                        help="fleets of more routers are served by two shard processes")
    parser.add_argument("--dual-re", action="store_true",
                        help="fleets of dual-RE platforms only (re-emulator fleet --dual-re): "
                             "N routers hold 2N sessions")
    parser.add_argument("--time", choices=["virtual", "real"], default="virtual",
                        help="the servers' clock (serve --time)")
    args = parser.parse_args(argv)
    reference = None if args.reference == "none" else args.reference
    report(run(args.fleets, reference, args.idle, args.rounds, args.repeat, args.shard_above,
               args.dual_re, args.time))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
