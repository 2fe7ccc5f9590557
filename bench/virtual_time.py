"""Router time vs wall time: the chapter's long waits on virtual time, beside a real-time run.

Scenarios, each driven only through the harness over SSH/NETCONF:
  keepalive failover  sever the inter-RE link and wait until the backup takes over
  hold-down           switch, then wait until a second switch is accepted
  reboot              reboot the backup and wait until it is back as backup

Each runs twice in the same process: on an emulated router in virtual time with the chapter's
settings (keepalive-time 300 s, 240 s hold-down, 180 s boot) and, as the reference, on a router
in real time with short settings (keepalive-time 2 s, boot 2 s; the fixed 240 s hold-down is
skipped there).  Printed: router seconds waited, wall seconds taken, and their ratio.  In real
time the ratio is about 1; on virtual time it must be at least ``--min-speedup``.  Loops are
bounded by the scenario timeouts.

    python bench/virtual_time.py [--min-speedup 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness.pool import RouterPool
from harness.router import DualRERouter
from re_contract.testbed import load_testbed

TESTBED = """\
routers:
  {name}:
    platform: MX480
    emulated: true
    re0: {{host: 127.0.0.1, port: 0}}
    re1: {{host: 127.0.0.1, port: 0}}
    credentials: {{username: lab, password: lab123}}
    control: {{username: ctl, password: ctl}}
    host_keys: {{policy: ignore}}
    emulator:
      time: {time}
      boot_time: {boot}
      config: |
        set chassis redundancy failover on-loss-of-keepalives
        set chassis redundancy keepalive-time {keepalive}
"""


def keepalive_failover(r: DualRERouter) -> None:
    r.faults.make("sever_link")
    r.clock.wait_until(lambda: r.is_master("re1"), 900, "keepalive failover", poll=1.0)


def hold_down(r: DualRERouter) -> None:
    r.switchover("switch")
    r.wait_ready_for_switch()


def reboot(r: DualRERouter) -> None:
    r.reboot("re1")


SCENARIOS: dict[str, Callable[[DualRERouter], None]] = {
    "keepalive failover": keepalive_failover,
    "hold-down": hold_down,
    "reboot": reboot,
}


def run(router: DualRERouter, name: str) -> tuple[float, float]:
    """Return (router seconds, wall seconds) of one scenario on a freshly reset router."""
    router.reset() if router.emulated else None
    t0, w0 = router.clock.now(), time.monotonic()
    SCENARIOS[name](router)
    return router.clock.now() - t0, time.monotonic() - w0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-speedup", type=float, default=100.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "tb.yaml")
        path.write_text(TESTBED.format(name="virtual", time="virtual", boot=180, keepalive=300)
                        + TESTBED.format(name="real", time="real", boot=2, keepalive=2)
                        .replace("routers:\n", ""))
        pool = RouterPool(load_testbed(path))
        try:
            ok = True
            print(f"{'scenario':20} {'mode':8} {'router s':>9} {'wall s':>8} {'router/wall':>12}")
            for name in SCENARIOS:
                for mode in ("virtual", "real"):
                    if mode == "real" and name == "hold-down":
                        continue  # the 240 s hold-down is fixed: too long for a benchmark
                    router_s, wall_s = run(pool.get(mode), name)
                    ratio = router_s / wall_s if wall_s else float("inf")
                    print(f"{name:20} {mode:8} {router_s:9.1f} {wall_s:8.2f} {ratio:12.1f}")
                    if mode == "virtual" and ratio < args.min_speedup:
                        ok = False
        finally:
            pool.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
