"""The bounded fuzz run (issue 11): ~2,000 malformed framing, XML and RPC messages against a
served emulator while a healthy session is checked every 100 messages.  Nothing may crash,
hang, kill a session that owed a reply, leak a lock, a session or a task.  The long run with
its RSS and latency figures is ``bench/fuzz_netconf.py``."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from re_contract.testbed import default_testbed_path, load_testbed
from tests.fuzz.netconf_fuzz import Fuzzer
from tests.fuzz.wire import Client

MESSAGES = 2000


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    server = EmulatorServer([router_entry(load_testbed(default_testbed_path()).router("r1"))])
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_bounded_fuzz_run_breaks_nothing(server: EmulatorServer) -> None:
    eps = {ep.re: (ep.host, ep.port) for ep in server.endpoints}
    baseline = server.census()
    healthy = Client(*eps["re1"])
    fuzzer = Fuzzer(eps["re0"], healthy)
    report = fuzzer.run(MESSAGES, derandomize=True)
    fuzzer.check_healthy()
    print("\n".join(report.lines()))
    assert report.messages >= MESSAGES * 0.9
    assert report.deaths == [] and report.hangs == [], (report.deaths, report.hangs)
    assert report.healthy_failures == [] and report.healthy_checks >= MESSAGES // 100
    healthy.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the last sessions end as their connections close
        census = server.census()
        if census.sessions == 0 and census.connections == 0:
            break
        time.sleep(0.2)
    assert census.sessions == 0 and census.connections == 0, census
    assert census.locks == () and census.buffered_input == 0, census
    assert census.tasks <= baseline.tasks, (baseline, census)
    assert [e.format() for e in server.take_errors()] == []
