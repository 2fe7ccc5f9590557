"""``re-emulator serve --shard i/N`` and ``--workers N``: one fleet testbed served by several
processes, each router on the host its endpoints name; two "machines" are simulated with the
loopback addresses 127.0.0.1 and 127.0.0.2."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from emulator.app import READY, Shard, shard_slice
from emulator.model.router import RouterParams
from emulator.server import RouterEntry
from tests.integration.test_emulator_lab import Netconf

#: Routers 0-1 on machine A (127.0.0.1), routers 2-3 on machine B (127.0.0.2), in file order.
FLEET = """\
testbed:
  name: two-machines
defaults:
  emulated: true
  credentials: {username: lab, password: lab123}
  control: {username: re-control, password: re-control}
routers:
  a1: {platform: MX480, re0: {host: 127.0.0.1, port: 0}, re1: {host: 127.0.0.1, port: 0}}
  a2: {platform: T640, re0: {host: 127.0.0.1, port: 0}, re1: {host: 127.0.0.1, port: 0}}
  b1: {platform: MX960, re0: {host: 127.0.0.2, port: 0}, re1: {host: 127.0.0.2, port: 0},
       master_only: {host: 127.0.0.2, port: 0}}
  b2: {platform: M7i, re0: {host: 127.0.0.2, port: 0}}
"""
HOSTS = {"a1": "127.0.0.1", "a2": "127.0.0.1", "b1": "127.0.0.2", "b2": "127.0.0.2"}
GET_RE = "<get-route-engine-information/>"


@contextmanager
def serving(testbed: Path, *args: str) -> Iterator[list[tuple[str, str, str, int]]]:
    """Run ``re-emulator serve --testbed testbed *args``; yield its endpoint lines as
    (router, re, host, port); stop it with SIGTERM and check it exits 0."""
    cmd = [sys.executable, "-m", "emulator", "serve", "--time", "virtual",
           "--testbed", str(testbed), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if line.startswith(READY) or time.monotonic() > deadline:
            break
        lines.append(line.rstrip("\n"))
    else:
        proc.kill()
        pytest.fail(f"no banner from {cmd}: {proc.stderr.read() if proc.stderr else ''}")
    endpoints = []
    for line in lines:
        if not line.startswith("#"):
            router, re_name, address = line.split()
            host, port = address.rsplit(":", 1)
            endpoints.append((router, re_name, host, int(port)))
    try:
        yield endpoints
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(FLEET)
    return path


def _serves(endpoints: list[tuple[str, str, str, int]], router: str, re_name: str
            ) -> tuple[str, int]:
    return next((h, p) for r, n, h, p in endpoints if (r, n) == (router, re_name))


def test_two_shards_serve_every_router_once_each_on_its_own_host(fleet: Path) -> None:
    with serving(fleet, "--shard", "0/2") as first, serving(fleet, "--shard", "1/2") as second:
        mine = {r for r, *_ in first}, {r for r, *_ in second}
        assert mine == ({"a1", "a2"}, {"b1", "b2"})
        for router, _, host, _port in first + second:
            assert host == HOSTS[router]
        # Each "machine" answers NETCONF for its routers, as hardware would.
        for endpoints, router in ((first, "a2"), (second, "b1")):
            session = Netconf(*_serves(endpoints, router, "re0"), "lab", "lab123")
            assert session.rpc(GET_RE).find(".//route-engine") is not None
            session.close()
        master = Netconf(*_serves(second, "b1", "master"), "lab", "lab123")
        assert master.rpc(GET_RE).findtext(".//mastership-state") == "master"
        master.close()


def test_workers_start_the_shards_and_print_all_endpoints(fleet: Path) -> None:
    with serving(fleet, "--workers", "2") as endpoints:
        assert {r for r, *_ in endpoints} == set(HOSTS)
        assert {(r, h) for r, _, h, _ in endpoints} == set(HOSTS.items())
        session = Netconf(*_serves(endpoints, "b2", "re0"), "lab", "lab123")
        assert session.rpc(GET_RE).find(".//route-engine") is not None
        session.close()


def _entries(n: int) -> list[RouterEntry]:
    return [RouterEntry(RouterParams(name=f"r{i}"), [], {}) for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 4, 5, 9])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_shard_slices_partition_the_fleet_in_file_order(n: int, count: int) -> None:
    entries = _entries(n)
    slices = [shard_slice(entries, Shard(i, count)) for i in range(count)]
    assert [e for s in slices for e in s] == entries  # each once, in order
    assert max(map(len, slices)) - min(map(len, slices)) <= 1
    assert slices == [shard_slice(entries, Shard(i, count)) for i in range(count)]


@pytest.mark.parametrize("text", ["2/2", "1", "-1/2", "0/0", "a/b", "1/2/3"])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        Shard.parse(text)
