"""NETCONF RPC round trip and client CPU: the harness's session vs stock and tuned ncclient.

Starts ``re-emulator serve`` (a separate process, virtual time) on loopback and one worker process
per client, each holding one session to r1 re0:

* ``stock``: ``ncclient.manager.connect(host=..., port=..., username=..., password=...,
  hostkey_verify=False, device_params={'name': 'junos'})`` exactly as ncclient's docs show it,
  then ``manager.rpc(element)``.
* ``tuned``: the same ncclient (0.7.0, unpatched) in the fastest configuration it offers without
  changing its source.  Its latency comes from its session thread, which sends a queued
  request only between two ``select()`` calls of ``ncclient.transport.session.TICK`` (0.1 s)
  each; the tuned worker sets that module constant to ``--tuned-tick`` (1 ms) in its own
  process, and passes ncclient a TCP socket with ``TCP_NODELAY`` (``connect(sock=...)``; ncclient
  leaves Nagle on).  Replies go through the same Junos handler as stock (namespaces stripped by
  its XSLT), which is what the harness returns too.  A smaller tick is faster still but spends
  more CPU polling: the tick is a trade-off ncclient leaves to the user, and the one chosen here
  is printed with the results.
* ``harness``: :class:`harness.session.RESession` ``.rpc(text)``.

Every client gets the request as XML text and returns the ``<rpc-reply>`` as an lxml element
(stock/tuned: ``etree.fromstring`` then ``manager.rpc``), so all do the same job.  For each RPC
of :data:`RPCS` (what a suite sends: the route-engine status, the whole configuration, the
software versions, a text CLI command, the mastership log), in rounds whose client order
rotates, each worker times ``--rpcs`` calls and measures its own process CPU
(``getrusage(RUSAGE_SELF)``, user + system) over the batch: every thread of that client counts
(ncclient's session thread, paramiko's transport thread), and no other client runs meanwhile.
Before the timed rounds each worker answers every RPC once, and the harness's reply must equal
the tuned ncclient's (message-id aside), so the comparison is of the same result.

Prints, per RPC, each client's median wall time and CPU per RPC, the ratio stock / harness (gate:
``>= --min-ratio``, 100) and the CPU ratio harness / tuned (gate: ``<= --max-cpu-ratio``, 1.1);
exits 1 when any RPC misses either gate.  Loops are bounded by ``--rpcs`` and ``--rounds``; every
wait on a worker or the server has a timeout.

    python bench/rpc_roundtrip.py [--rpcs 30] [--rounds 3] [--min-ratio 100] [--max-cpu-ratio 1.1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

#: The RPCs measured, by name: what the suites and the harness send.
RPCS: dict[str, str] = {
    "route-engine": "<get-route-engine-information/>",
    "get-config": "<get-config><source><running/></source></get-config>",
    "config-text": '<get-configuration database="committed" format="text"/>',
    "software": "<get-software-information/>",
    "command-text": '<command format="text">show chassis routing-engine</command>',
    "mastership-log": "<get-log><filename>mastership</filename></get-log>",
}
CLIENTS = ("stock", "tuned", "harness")
#: Seconds a worker may take to connect, or to answer one batch.
WORKER_TIMEOUT = 120.0


def start_emulator() -> tuple[subprocess.Popen[str], str, int]:
    """Start ``re-emulator serve`` and return (process, host, port of r1 re0).

    Raises RuntimeError when it prints no endpoint within 30 s.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", "from emulator.app import main; raise SystemExit(main())",
         "serve", "--time", "virtual"],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = _readline(proc, 30.0)
    while line:
        parts = line.split()
        if len(parts) == 3 and parts[1] == "re0":
            host, port = parts[2].rsplit(":", 1)
            return proc, host, int(port)
        line = _readline(proc, 30.0)
    proc.kill()
    raise RuntimeError("re-emulator serve did not print its endpoints")


def _readline(proc: subprocess.Popen[str], timeout: float) -> str:
    """Return the next line ``proc`` prints ('' at its end).  Raises TimeoutError."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise TimeoutError(f"no output from {proc.args!r} within {timeout:.0f}s")
    return proc.stdout.readline()


# --- the workers (one process per client) ---------------------------------------------------


def _connect_stock(host: str, port: int) -> Callable[[str], etree._Element]:
    from ncclient import manager

    mgr = manager.connect(host=host, port=port, username="lab", password="lab123",
                          hostkey_verify=False, device_params={"name": "junos"})
    return lambda xml: _ncclient_root(mgr.rpc(etree.fromstring(xml)))


def _connect_tuned(host: str, port: int, tick: float) -> Callable[[str], etree._Element]:
    from ncclient import manager
    from ncclient.transport import session as nc_session

    nc_session.TICK = tick  # this worker process only
    sock = socket.create_connection((host, port), 10.0)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    mgr = manager.connect(host=host, port=port, username="lab", password="lab123",
                          hostkey_verify=False, device_params={"name": "junos"}, sock=sock)
    return lambda xml: _ncclient_root(mgr.rpc(etree.fromstring(xml)))


def _ncclient_root(reply: Any) -> etree._Element:
    """Return the element ncclient's Junos handler made of a reply (its NCElement's document)."""
    root: etree._Element = reply._NCElement__doc  # noqa: SLF001 (no public accessor)
    return root


def _connect_harness(host: str, port: int) -> Callable[[str], etree._Element]:
    from harness.session import ConnectParams, RESession

    session = RESession(ConnectParams(host, port, "lab", "lab123", label="bench")).open()
    return session.rpc


def _canonical(reply: etree._Element) -> str:
    """Return the reply's XML without its message-id, for comparing clients' results."""
    copy = etree.fromstring(etree.tostring(reply))
    copy.attrib.pop("message-id", None)
    return etree.tostring(copy, encoding="unicode")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(kind: str, host: str, port: int, tick: float) -> int:
    """Serve batch requests (JSON lines on stdin) with one client of ``kind``; return 0.

    A request ``{"rpc": name, "n": n}`` answers ``{"times": [...], "cpu": seconds}``;
    ``{"reply": name}`` answers ``{"xml": canonical reply}``; end of input ends the worker.
    """
    call = {"stock": lambda: _connect_stock(host, port),
            "tuned": lambda: _connect_tuned(host, port, tick),
            "harness": lambda: _connect_harness(host, port)}[kind]()
    _send({"ready": kind})
    for line in sys.stdin:
        req = json.loads(line)
        if "reply" in req:
            _send({"xml": _canonical(call(RPCS[req["reply"]]))})
            continue
        xml, n = RPCS[req["rpc"]], int(req["n"])
        times = []
        cpu0 = _cpu()
        for _ in range(n):
            t0 = time.perf_counter()
            call(xml)
            times.append(time.perf_counter() - t0)
        _send({"times": times, "cpu": _cpu() - cpu0})
    return 0


def _send(obj: object) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


# --- the coordinator ------------------------------------------------------------------------


@dataclass
class Figures:
    """What one client measured for one RPC over all rounds."""

    times: list[float] = field(default_factory=list)
    cpu: float = 0.0

    @property
    def median(self) -> float:
        """Return the median wall time, seconds."""
        return statistics.median(self.times)

    @property
    def cpu_per_rpc(self) -> float:
        """Return the process CPU seconds per RPC."""
        return self.cpu / len(self.times)


class Worker:
    """One client's worker process, spoken to in JSON lines."""

    def __init__(self, kind: str, host: str, port: int, tick: float) -> None:
        self.kind = kind
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", kind, "--host", host,
             "--port", str(port), "--tuned-tick", str(tick)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        ready = self.ask(None)
        if ready.get("ready") != kind:
            raise RuntimeError(f"{kind} worker did not start: {ready!r}")

    def ask(self, request: dict[str, Any] | None) -> dict[str, Any]:
        """Send ``request`` (None: just read) and return the answer.  Raises RuntimeError."""
        assert self.proc.stdin is not None
        if request is not None:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        line = _readline(self.proc, WORKER_TIMEOUT)
        if not line:
            raise RuntimeError(f"{self.kind} worker ended (exit {self.proc.wait(10)})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        """Close its input (it closes its session and exits); kill it after 10 s."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def measure(workers: dict[str, Worker], rpcs: int, rounds: int
            ) -> dict[str, dict[str, Figures]]:
    """Return figures[rpc][client] over ``rounds`` rounds of ``rpcs`` calls per batch, the
    clients' order rotating each round."""
    figures = {name: {kind: Figures() for kind in workers} for name in RPCS}
    order = list(workers)
    for r in range(rounds):
        turn = order[r % len(order):] + order[:r % len(order)]
        for name in RPCS:
            for kind in turn:
                answer = workers[kind].ask({"rpc": name, "n": rpcs})
                figures[name][kind].times += answer["times"]
                figures[name][kind].cpu += answer["cpu"]
    return figures


def same_replies(workers: dict[str, Worker]) -> list[str]:
    """Return the RPCs whose harness reply differs from the tuned ncclient's."""
    return [name for name in RPCS
            if workers["harness"].ask({"reply": name}) != workers["tuned"].ask({"reply": name})]


def report(figures: dict[str, dict[str, Figures]], min_ratio: float, max_cpu: float) -> bool:
    """Print the table; return True when every RPC meets both gates."""
    print(f"{'rpc':15} {'stock ms':>9} {'tuned ms':>9} {'harness ms':>10} {'stock/harn':>10}"
          f" | {'CPU ms/rpc: stock':>17} {'tuned':>6} {'harness':>7} {'harn/tuned':>10}")
    ok = True
    for name, by in figures.items():
        s, t, h = by["stock"], by["tuned"], by["harness"]
        ratio = s.median / h.median
        cpu_ratio = h.cpu_per_rpc / t.cpu_per_rpc
        ok = ok and ratio >= min_ratio and cpu_ratio <= max_cpu
        print(f"{name:15} {s.median * 1e3:9.2f} {t.median * 1e3:9.2f} {h.median * 1e3:10.3f}"
              f" {ratio:9.1f}x | {s.cpu_per_rpc * 1e3:17.3f} {t.cpu_per_rpc * 1e3:6.3f}"
              f" {h.cpu_per_rpc * 1e3:7.3f} {cpu_ratio:9.2f}x"
              f"{'' if ratio >= min_ratio else '  SLOW'}"
              f"{'' if cpu_ratio <= max_cpu else '  CPU'}")
    return ok


def main() -> int:
    """Run the benchmark (or, with ``--worker``, one client's worker); return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rpcs", type=int, default=30, help="RPCs per client per batch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-ratio", type=float, default=100.0,
                        help="least stock/harness median ratio, every RPC")
    parser.add_argument("--max-cpu-ratio", type=float, default=1.1,
                        help="most harness/tuned client CPU per RPC, every RPC")
    parser.add_argument("--tuned-tick", type=float, default=0.001,
                        help="ncclient's select() tick in the tuned worker, seconds")
    parser.add_argument("--worker", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.host, args.port, args.tuned_tick)
    proc, host, port = start_emulator()
    workers: dict[str, Worker] = {}
    try:
        for kind in CLIENTS:
            workers[kind] = Worker(kind, host, port, args.tuned_tick)
        differ = same_replies(workers)
        figures = measure(workers, args.rpcs, args.rounds)
    finally:
        for w in workers.values():
            w.stop()
        proc.terminate()
        proc.wait(timeout=10)
    print(f"{args.rounds} rounds x {args.rpcs} RPCs per client and RPC; tuned ncclient: "
          f"TICK {args.tuned_tick * 1e3:g} ms, TCP_NODELAY; CPU: each client's whole process")
    ok = report(figures, args.min_ratio, args.max_cpu_ratio)
    print(f"gates: stock/harness >= {args.min_ratio:g}x, harness/tuned CPU <= "
          f"{args.max_cpu_ratio:g}x on every RPC: {'met' if ok else 'NOT met'}")
    if differ:
        print(f"harness replies differ from tuned ncclient's: {', '.join(differ)}")
    return 0 if ok and not differ else 1


if __name__ == "__main__":
    raise SystemExit(main())
