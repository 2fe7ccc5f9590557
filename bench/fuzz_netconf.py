"""The long NETCONF fuzz run (issue 11): >= 20,000 malformed framing, XML and RPC messages
against an emulator served by a child process, a healthy session on the other RE timed every
100 messages.

Reference, side by side in the same run: the healthy session's latency with the server idle,
before the fuzz.  Printed: the fuzz report (session deaths, replies slower than 5 s, hangs, the
healthy session's worst latency against its idle one), the server's census before and after
(sessions, connections, locks, tasks: nothing may be left) and its resident memory at the start,
at its peak sample and after the run (back within 10 % of the start).  Exit status 1 when a
figure misses its bound.

    python bench/fuzz_netconf.py [--messages 20000] [--seed N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package: the fuzzer

from tests.fuzz.child import ChildServer  # noqa: E402
from tests.fuzz.netconf_fuzz import SLOW, Fuzzer  # noqa: E402
from tests.fuzz.wire import Client, latencies  # noqa: E402

HEALTHY_BOUND = 2.0
RSS_SLACK = 0.10
WARMUP = 300
CHUNK = 1000


def settle(server: ChildServer, timeout: float = 30.0) -> dict[str, object]:
    """Return the census once only the healthy session is left (or at ``timeout``)."""
    deadline = time.monotonic() + timeout
    census = server.census()
    while time.monotonic() < deadline and (census["sessions"] > 1 or census["connections"] > 1):
        time.sleep(0.5)
        census = server.census()
    return census


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    server = ChildServer()
    try:
        return run(server, args.messages, args.seed)
    finally:
        server.stop()


def run(server: ChildServer, messages: int, seed: int | None) -> int:
    healthy = Client(*server.endpoints["re1"])
    idle = latencies(healthy, 100)
    start = server.census()
    warm = Fuzzer(server.endpoints["re0"], healthy)
    warm.run(WARMUP, seed=seed)
    warm_census = settle(server)
    fuzzer = Fuzzer(server.endpoints["re0"], healthy)
    peak = 0
    began = time.monotonic()
    while fuzzer.report.messages < messages:  # in chunks: RSS is sampled between them
        target = min(messages, fuzzer.report.messages + CHUNK)
        fuzzer.run(target, seed=None if seed is None else seed + fuzzer.report.messages)
        peak = max(peak, server.census()["rss_kib"])
    took = time.monotonic() - began
    fuzzer.check_healthy()
    end = settle(server)
    report = fuzzer.report
    for line in report.lines():
        print(line)
    print(f"fuzz run: {took:.0f} s, {report.messages / took:.0f} messages/s")
    print(f"healthy session idle (reference): median {statistics.median(idle) * 1e3:.1f} ms, "
          f"max {max(idle) * 1e3:.1f} ms; under fuzz: worst {report.healthy_worst * 1e3:.1f} ms")
    for name, census in (("start", start), ("after warm-up", warm_census), ("end", end)):
        print(f"census {name}: sessions {census['sessions']}, connections "
              f"{census['connections']}, locks {list(census['locks'])}, tasks {census['tasks']}, "
              f"buffered input {census['buffered_input']} B, RSS {census['rss_kib']} KiB")
    print(f"RSS peak sample: {peak} KiB; end/warm start: "
          f"{end['rss_kib'] / warm_census['rss_kib']:.3f}; end/cold start: "
          f"{end['rss_kib'] / start['rss_kib']:.3f}")
    print(f"server errors recorded: {len(server.errors)}")
    for error in server.errors[:5]:
        print(error)
    failures = [what for what, bad in [
        ("session deaths", report.deaths), ("slow replies", report.slow),
        ("hangs", report.hangs), ("healthy failures", report.healthy_failures),
        (f"healthy worst > {HEALTHY_BOUND} s", report.healthy_worst > HEALTHY_BOUND),
        ("locks left", end["locks"]), ("sessions left", end["sessions"] > 1),
        ("tasks leaked", end["tasks"] > warm_census["tasks"]),
        ("RSS not back", end["rss_kib"] > warm_census["rss_kib"] * (1 + RSS_SLACK)),
        ("server errors", server.errors)] if bad]
    print("FAILED: " + ", ".join(failures) if failures else
          f"OK: every bound met (slow = {SLOW:g} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
