"""Silent clients against the timeouts (issue 11): 200 TCP connections that never speak SSH and
200 NETCONF sessions that never send a hello, while a healthy session keeps working.

Side by side in one run: the healthy session's RPC latency with the server idle (the reference)
and while the 400 silent clients hold their connections; then how long the login-grace and
hello timeouts take to drop them all (the server's census says when).  Bounds: the loaded
median within 2x of the idle median, every silent client dropped.  Exit status 1 otherwise.

    python bench/abuse_timeouts.py [--silent 200] [--no-hello 200] [--timeout 3]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package: the clients

import asyncssh  # noqa: E402

from tests.fuzz.child import ChildServer  # noqa: E402
from tests.fuzz.wire import Client, latencies  # noqa: E402

SAMPLES = 300
RATIO_BOUND = 2.0


async def _never_hello(host: str, port: int, count: int, held: list[object],
                       ready: threading.Event) -> None:
    """Open ``count`` NETCONF sessions that never send a hello; keep them until dropped."""
    async def one() -> None:
        conn = await asyncssh.connect(host, port, username="lab", password="lab123",
                                      known_hosts=None, login_timeout=60)
        chan, _ = await conn.create_session(asyncssh.SSHClientSession, subsystem="netconf")
        held.append((conn, chan))

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        print(f"  {len(failed)} never-hello sessions failed to open: {failed[0]!r}")
    ready.set()
    await asyncio.sleep(3600)


def start_never_hello(host: str, port: int, count: int) -> tuple[list[object], threading.Event]:
    """Run :func:`_never_hello` on a loop in a daemon thread; return its list and ready event."""
    held: list[object] = []
    ready = threading.Event()
    threading.Thread(target=lambda: asyncio.run(_never_hello(host, port, count, held, ready)),
                     daemon=True).start()
    return held, ready


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--silent", type=int, default=200)
    parser.add_argument("--no-hello", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=15.0,
                        help="login grace and hello timeout, seconds")
    args = parser.parse_args()
    limits = {"login_grace": args.timeout, "hello_timeout": args.timeout,
              "connection_limit": args.silent + args.no_hello + 50}
    server = ChildServer(limits)
    try:
        return run(server, args)
    finally:
        server.stop()


def run(server: ChildServer, args: argparse.Namespace) -> int:
    healthy = Client(*server.endpoints["re1"])
    latencies(healthy, 50)  # warm
    idle = latencies(healthy, SAMPLES)
    host, port = server.endpoints["re0"]
    opened_at = time.monotonic()
    held, ready = start_never_hello(host, port, args.no_hello)
    if not ready.wait(120):
        print("the never-hello sessions did not open within 120 s")
        return 1
    silent = [socket.create_connection((host, port), timeout=10) for _ in range(args.silent)]
    loaded_at = time.monotonic()
    print(f"opening them took {loaded_at - opened_at:.1f} s")
    census = server.census()
    print(f"held: {len(silent)} silent TCP connections, {len(held)} never-hello sessions; "
          f"server census: {census['connections']} SSH connections, {census['sessions']} "
          "sessions")
    loaded = latencies(healthy, SAMPLES)
    dropped_after = None
    deadline = time.monotonic() + args.timeout * 4 + 30
    while time.monotonic() < deadline:
        census = server.census()
        if census["sessions"] <= 1 and census["connections"] <= 1:
            dropped_after = time.monotonic() - loaded_at
            break
        time.sleep(0.25)
    closed = sum(1 for s in silent if _closed_by_peer(s))
    for sock in silent:
        sock.close()
    idle_median, loaded_median = statistics.median(idle), statistics.median(loaded)
    ratio = loaded_median / idle_median
    print(f"healthy RPC latency, idle (reference): median {idle_median * 1e3:.2f} ms, "
          f"p95 {_p95(idle) * 1e3:.2f} ms")
    print(f"healthy RPC latency, {args.silent + args.no_hello} silent clients held: "
          f"median {loaded_median * 1e3:.2f} ms, "
          f"p95 {_p95(loaded) * 1e3:.2f} ms; ratio {ratio:.2f} (bound {RATIO_BOUND:g})")
    print(f"silent TCP connections closed by the server: {closed}/{len(silent)}")
    print("never-hello sessions and their connections dropped: "
          + (f"all within {dropped_after:.1f} s of being held (timeouts {args.timeout:g} s)"
             if dropped_after is not None else f"NOT all (census {census})"))
    print(f"server errors recorded: {len(server.census()['errors']) + len(server.errors)}")
    ok = ratio <= RATIO_BOUND and dropped_after is not None and closed == len(silent)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def _closed_by_peer(sock: socket.socket) -> bool:
    """Return True if the server closed ``sock`` (EOF or reset), reading what it sent."""
    sock.settimeout(0.5)
    try:
        while chunk := sock.recv(65536):
            del chunk
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


if __name__ == "__main__":
    sys.exit(main())
