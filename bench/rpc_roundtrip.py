"""Median NETCONF RPC round trip: the harness's session vs stock ncclient, same run, same server.

Starts ``re-emulator serve`` (a separate process, virtual time) on loopback, then times
``<get-route-engine-information/>`` over (a) ``ncclient.manager.connect(...)`` exactly as
ncclient's docs show it and (b) :class:`harness.session.RESession`, alternating in rounds so
machine noise hits both alike.  Prints both medians and their ratio; exits 1 when the harness is
not at least ``--min-ratio`` times faster.  Loops are bounded by ``--rpcs`` and ``--rounds``.

    python bench/rpc_roundtrip.py [--rpcs 30] [--rounds 3] [--min-ratio 50]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from ncclient import manager

from harness.session import ConnectParams, RESession

RPC = "<get-route-engine-information/>"


def start_emulator() -> tuple[subprocess.Popen[str], str, int]:
    """Start ``re-emulator serve`` and return (process, host, port of r1 re0)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from emulator.app import main; raise SystemExit(main())",
         "serve", "--time", "virtual"],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        parts = line.split()
        if len(parts) == 3 and parts[1] == "re0":
            host, port = parts[2].rsplit(":", 1)
            return proc, host, int(port)
    proc.kill()
    raise RuntimeError("re-emulator serve did not print its endpoints")


def time_calls(call: Callable[[], object], n: int) -> list[float]:
    """Return the wall time of ``n`` calls, in seconds each."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rpcs", type=int, default=30, help="RPCs per client per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-ratio", type=float, default=50.0)
    args = parser.parse_args()
    proc, host, port = start_emulator()
    try:
        stock = manager.connect(host=host, port=port, username="lab", password="lab123",
                                hostkey_verify=False, device_params={"name": "junos"})
        ours = RESession(ConnectParams(host, port, "lab", "lab123", label="bench")).open()
        stock_times: list[float] = []
        our_times: list[float] = []
        for _ in range(args.rounds):
            stock_times += time_calls(lambda: stock.rpc(_el()), args.rpcs)
            our_times += time_calls(lambda: ours.rpc(RPC), args.rpcs)
        stock.close_session()
        ours.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    s_med, o_med = statistics.median(stock_times), statistics.median(our_times)
    ratio = s_med / o_med
    print(f"stock ncclient   median {s_med * 1000:8.2f} ms  ({len(stock_times)} RPCs)")
    print(f"harness session  median {o_med * 1000:8.2f} ms  ({len(our_times)} RPCs)")
    print(f"ratio (stock / harness): {ratio:.1f}x  (required: >= {args.min_ratio:.0f}x)")
    return 0 if ratio >= args.min_ratio else 1


def _el() -> object:
    from lxml import etree

    return etree.fromstring(RPC)


if __name__ == "__main__":
    raise SystemExit(main())
