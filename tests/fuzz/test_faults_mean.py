"""Issue 11, defect 9: faults and harness operations mean what they say.

``truncate-next-reply`` cuts the next reply of an ordinary session on that RE, never the
control session's own; deep configurations are refused, not crashed on; ``halt()`` succeeds
only when the RE is seen halted; a probe of a halted RE logs one INFO line, not a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from harness.errors import ConnectError, HaltNotConfirmedError
from harness.router import DualRERouter
from harness.session import ConnectParams, open_manager
from re_contract.testbed import load_testbed
from tests.fuzz.wire import Client, Frozen, control, control_rpc, serving

GET_RE = "<get-route-engine-information/>"


def test_truncate_next_reply_spares_the_control_session_on_the_master() -> None:
    """The control session is on the master RE: its own reply (and the next) used to be cut."""
    with serving() as served:
        ctl = Client(*served.endpoints["control"], "re-control", "re-control")
        assert "<ok/>" in ctl.call(control_rpc("truncate-next-reply", re="re0"))
        assert "<now>" in ctl.call(control_rpc("get-clock"))  # whole, and the session lives
        user = Client(*served.endpoints["re0"])
        with pytest.raises(EOFError):
            user.call(GET_RE, timeout=10)  # the ordinary session's next reply is cut
        again = Client(*served.endpoints["re0"])
        assert "<route-engine>" in again.call(GET_RE)  # only that one
        assert "<now>" in ctl.call(control_rpc("get-clock"))


DEEP = {
    "text": '<load-configuration format="text"><configuration-text>system { '
            + "a { " * 5000 + "b;" + " }" * 5000 + " }</configuration-text></load-configuration>",
    "set": '<load-configuration action="set" format="text"><configuration-set>set system '
           + " ".join(f"w{i}" for i in range(110)) + "</configuration-set></load-configuration>",
    "xml": "<load-configuration><configuration><system>" + "<a>" * 240 + "<b/>"
           + "</a>" * 240 + "</system></configuration></load-configuration>",
}


@pytest.mark.parametrize("form", sorted(DEEP))
def test_deep_configurations_are_refused_not_crashed_on(form: str) -> None:
    """5,000-deep text, 240-deep XML and 110-word set paths raised RecursionError inside the
    handlers (answered "internal error")."""
    with serving() as served:
        client = Client(*served.endpoints["re0"])
        reply = client.call(DEEP[form], timeout=30)
        assert "<rpc-error>" in reply and "internal error" not in reply
        assert "<route-engine>" in client.call(GET_RE)


LAB = """\
testbed: {{name: halt}}
routers:
  pe1:
    platform: MX480
    emulated: false
    allow_disruptive: true
    re0: {{host: 127.0.0.1, port: {re0}}}
    re1: {{host: 127.0.0.1, port: {re1}}}
    credentials: {{username: lab, password: lab123}}
    host_keys: {{policy: ignore}}
    timeouts: {{connect: 5, rpc: 10, halt: 12}}
"""


def test_halt_of_an_re_that_only_stops_replying_is_not_success(tmp_path: Path) -> None:
    """``halt()`` used to report success as soon as the RE stopped answering."""
    with serving() as served:
        relay = Frozen(served.endpoints["re1"])
        path = tmp_path / "lab.yaml"
        path.write_text(LAB.format(re0=served.endpoints["re0"][1], re1=relay.address[1]))
        router = DualRERouter(load_testbed(path).router("pe1"))
        router.consent.run_allows = True  # as --allow-disruptive does
        try:
            assert router.state.roles(via="re1") == {"re0": "master", "re1": "backup"}
            relay.cut()  # re1 runs on, but nothing it says arrives any more
            with pytest.raises(HaltNotConfirmedError, match="re1"):
                router.halt("re1")
        finally:
            router.close()
            relay.close()


def test_a_probe_of_a_halted_re_logs_one_info_line(caplog: pytest.LogCaptureFixture) -> None:
    with serving() as served:
        control(served, "halt-re", re="re1")
        caplog.set_level(logging.DEBUG)
        host, port = served.endpoints["re1"]
        with pytest.raises(ConnectError):
            open_manager(ConnectParams(host, port, "lab", "lab123", label="r1 re1"))
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert errors == [], [r.getMessage() for r in errors]
    infos = [r for r in caplog.records
             if r.levelno == logging.INFO and r.name.startswith("harness")]
    assert len(infos) == 1 and "r1 re1" in infos[0].getMessage()
