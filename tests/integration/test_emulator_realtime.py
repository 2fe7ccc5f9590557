"""The same scenarios at wall speed: ``re-emulator serve --time real`` as a separate process,
with a testbed of short settings (keepalive-time 2, boot_time 2), reached over SSH/NETCONF.

Waiting is polling with a generous deadline, never a timing assertion: the scenarios must
happen, and happen only because wall time passed (nobody advances the clock here).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from re_contract.listeners import CONTROL
from tests.integration.test_emulator_lab import Lab, RpcFailedError, switch_rpc

TESTBED = """\
testbed:
  name: realtime
routers:
  rt:
    platform: MX480
    emulated: true
    allow_disruptive: true
    re0: {host: 127.0.0.1, port: 0}
    re1: {host: 127.0.0.1, port: 0}
    credentials: {username: lab, password: lab123}
    control: {username: re-control, password: re-control}
    host_keys: {policy: ignore}
    emulator:
      time: real
      hostname: rt
      boot_time: 2
      platform:
        timing: {resolution: 1, master_ready: 1, fpc_boot: 2}
      config: |
        set chassis redundancy failover on-loss-of-keepalives
        set chassis redundancy keepalive-time 2
"""
SWITCH = switch_rpc("switch", "no-confirm")
DEADLINE = 20.0


@pytest.fixture(scope="module")
def realtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """``re-emulator serve --time real --testbed <short settings>``; yields a lab on it."""
    path: Path = tmp_path_factory.mktemp("realtime") / "testbed.yaml"
    path.write_text(TESTBED)
    exe = os.path.join(os.path.dirname(sys.executable), "re-emulator")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "emulator"]
    proc = subprocess.Popen([*cmd, "serve", "--time", "real", "--testbed", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    endpoints: dict[str, tuple[str, int]] = {}
    for line in proc.stdout:
        if line.startswith("#"):
            break
        _router, re_name, addr = line.split()
        host, port = addr.rsplit(":", 1)
        endpoints[re_name] = (host, int(port))
    if CONTROL not in endpoints:
        proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        pytest.fail(f"re-emulator serve printed no endpoints: {err}")
    try:
        yield Lab(server=None, endpoints=endpoints)  # type: ignore[arg-type]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def rt(realtime: Lab) -> Lab:
    """The real-time router, reset to RE0 master / RE1 backup for each test."""
    realtime.control("reset-router")
    return realtime


def wait_for(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds; fail after :data:`DEADLINE` wall seconds."""
    end = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > end:
            pytest.fail("condition not reached at wall speed")
        time.sleep(0.1)


def test_keepalive_failover_at_wall_speed(rt: Lab) -> None:
    rt.control("sever-link")
    wait_for(lambda: rt.states()["re1"] == "master")
    assert "E_NO_IPC" in rt.events("re1")
    rt.control("restore-link")
    assert rt.states() == {"re0": "backup", "re1": "master"}


def test_reboot_at_wall_speed(rt: Lab) -> None:
    rt.rpc("re0", "<request-reboot><other-routing-engine/></request-reboot>")
    assert rt.states()["re1"] == "booting"
    wait_for(lambda: rt.states()["re1"] == "backup")
    entry = rt.route_engines("re1")["1"]
    assert entry.findtext("last-reboot-reason") == "Router rebooted after a normal shutdown."


def test_hold_down_counts_down_at_wall_speed(rt: Lab) -> None:
    rt.rpc("re0", SWITCH)
    # The testbed's timing: mastership resolves 1 s of wall time later.
    wait_for(lambda: rt.states() == {"re0": "backup", "re1": "master"})

    def remaining() -> int:
        with pytest.raises(RpcFailedError) as refused:
            rt.rpc("re1", SWITCH)
        message = refused.value.errors[0][1]
        assert message.startswith("Command aborted. Not ready for mastership switch, try after ")
        return int(message.split("try after ")[1].split()[0])

    first = remaining()
    assert first <= 240
    wait_for(lambda: remaining() < first)
    assert rt.states() == {"re0": "backup", "re1": "master"}
