"""The compat matrix's framing proof (tests/compat/served.py): the served emulator's log names
the framing of each client session, the compat run's own control sessions are left out, and the
check fails when a session spoke another framing than expected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from ncclient import manager

from tests.compat.served import PASSWORD, USER, ServedEmulator, SessionFraming
from tests.netconf_hello import HELLOS, Hello


@pytest.fixture(params=HELLOS, ids=[h.name.replace(":", "-") for h in HELLOS])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedEmulator]:
    server = ServedEmulator(request.param, tmp_path)
    try:
        yield server
    finally:
        server.stop()


def _client_session(served: ServedEmulator, target: str) -> int:
    """Open an ncclient session to ``target``, run one RPC, close; return its session id."""
    ep = served.endpoint(target)
    with manager.connect(host=ep.host, port=ep.port, username=USER, password=PASSWORD,
                         hostkey_verify=False, look_for_keys=False, allow_agent=False,
                         timeout=30) as m:
        reply = etree.fromstring(m.dispatch(etree.Element("get-software-information")).xml
                                 .encode())
        assert reply.xpath("//*[local-name()='host-name']/text()") == ["r1"]
        return int(m.session_id)


def test_the_server_log_names_each_client_sessions_framing(served: ServedEmulator) -> None:
    hello: Hello = served.hello
    framing = hello.framing()  # ncclient lists base:1.1
    mark = served.log_mark()
    assert served.master() == "re0"  # a control session: not the client's
    first = _client_session(served, "re1")
    second = _client_session(served, "master")
    assert served.framings_since(mark) == [SessionFraming(1, first, framing),
                                           SessionFraming(0, second, framing)]
    assert served.check_framing(mark, framing) == served.framings_since(mark)
    other = "eom" if framing == "chunked" else "chunked"
    with pytest.raises(AssertionError, match=f"expected {other} framing"):
        served.check_framing(mark, other)
    later = served.log_mark()
    served.reset()
    with pytest.raises(AssertionError, match="no client NETCONF session"):
        served.check_framing(later, framing)
