"""kill -9 right after acknowledged commits (issue 11): ``re-emulator serve --state-dir`` in a
subprocess, one commit over NETCONF, SIGKILL as soon as its reply arrives, restart, check that
the commit is there; ``--rounds`` times (each restart checks the round before it).

Reference, side by side: the same rounds with SIGTERM (a clean stop, which always saved).
Printed: commits acknowledged, commits found after the restart, commits lost, for each; the
commit latency (acknowledgement, fsync included).  Exit status 1 when a SIGKILL loses one.

    python bench/kill9_commits.py [--rounds 100]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package: the clients

from tests.fuzz.wire import Client, serve  # noqa: E402

COMMITTED = '<get-configuration database="committed" format="set"/>'


def rounds(state: Path, count: int, sig: int) -> tuple[int, int, list[float]]:
    """Return (acknowledged, found after restart, commit latencies) of ``count`` rounds."""
    acknowledged = found = 0
    latencies: list[float] = []
    previous: str | None = None
    for n in range(count + 1):
        served = serve("--state-dir", str(state))
        try:
            client = Client(*served.endpoints["re0"])
            if previous is not None and f"set system location building {previous}" in \
                    client.call(COMMITTED):
                found += 1
            if n == count:
                break
            marker = f"k{n}-{sig}"
            client.call('<load-configuration action="set" format="text"><configuration-set>'
                        f"set system location building {marker}</configuration-set>"
                        "</load-configuration>")
            started = time.monotonic()
            reply = client.call("<commit-configuration/>")
            latencies.append(time.monotonic() - started)
            if "commit-success" in reply:
                acknowledged += 1
                previous = marker
        finally:
            served.stop(sig)  # right after the acknowledgement
    return acknowledged, found, latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    results = {}
    for name, sig in (("SIGKILL", signal.SIGKILL), ("SIGTERM (reference)", signal.SIGTERM)):
        with tempfile.TemporaryDirectory() as tmp:
            results[name] = rounds(Path(tmp) / "state", args.rounds, sig)
    for name, (acked, found, lat) in results.items():
        print(f"{name}: {acked} commits acknowledged, {found} found after the restart, "
              f"{acked - found} lost; commit latency median {statistics.median(lat) * 1e3:.1f} ms, "
              f"max {max(lat) * 1e3:.1f} ms")
    acked, found, _ = results["SIGKILL"]
    lost = acked - found
    print("OK: no acknowledged commit lost" if lost == 0 and acked == args.rounds
          else f"FAILED: {lost} lost, {acked}/{args.rounds} acknowledged")
    return 0 if lost == 0 and acked == args.rounds else 1


if __name__ == "__main__":
    sys.exit(main())
