"""The harness against a real RFC 6241 server that is not Junos: yuma123's ``netconfd``
(issue 13, point 5).

netconfd starts every message with an XML declaration; stock ncclient 0.7.0's Junos handler
raises ``ValueError`` on it for every RPC.  :class:`harness.session.RESession` reads its replies
in both framings (netconfd offering base:1.0 only, and base:1.1 too), sees its ``<rpc-error>``
as errors, and leaves ncclient unchanged for every other user in the process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ncclient import manager
from ncclient.transport.session import NetconfBase

from harness.errors import RpcFailedError
from harness.session import ConnectParams, RESession
from tests.integration.netconfd import NetconfdServer, netconfd_server

MONITORING = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
PROTOCOLS = {"base-1.0": "netconf1.0", "base-1.1": "netconf1.0 netconf1.1"}


@pytest.fixture(scope="module", params=list(PROTOCOLS), ids=list(PROTOCOLS))
def netconfd(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[NetconfdServer]:
    """netconfd behind sshd on loopback, offering base:1.0 only or base:1.1 too."""
    directory = tmp_path_factory.mktemp(f"netconfd-{request.param}")
    with netconfd_server(directory, PROTOCOLS[request.param]) as server:
        yield server


@pytest.fixture
def session(netconfd: NetconfdServer) -> Iterator[RESession]:
    params = ConnectParams(netconfd.host, netconfd.port, netconfd.username,
                           key_file=netconfd.key_file, connect_timeout=20.0, rpc_timeout=20.0,
                           label="netconfd")
    s = RESession(params)
    try:
        s.open()
    except Exception as exc:
        pytest.fail(f"{exc}\n{netconfd.log()}")
    yield s
    s.close()


def test_the_session_speaks_the_framing_the_server_offers(netconfd: NetconfdServer,
                                                          session: RESession) -> None:
    assert session._manager is not None  # noqa: SLF001
    base = session._manager._session._base  # noqa: SLF001
    expected = NetconfBase.BASE_11 if "1.1" in netconfd.protocols else NetconfBase.BASE_10
    assert base is expected
    assert session.session_id


def test_get_config_and_get(session: RESession) -> None:
    config = session.rpc("<get-config><source><running/></source></get-config>")
    assert config.tag == "rpc-reply" and config.find("data") is not None
    state = session.rpc(f'<get><filter type="subtree"><netconf-state xmlns="{MONITORING}">'
                        "<sessions/></netconf-state></filter></get>")
    ids = [s.text for s in state.iterfind(".//session/session-id")]
    assert session.session_id in ids  # the server lists our own session


def test_several_rpcs_in_a_row_and_ok_replies(session: RESession) -> None:
    for _ in range(3):
        assert session.rpc("<lock><target><candidate/></target></lock>").find("ok") is not None
        assert session.rpc("<unlock><target><candidate/></target></unlock>").find("ok") \
            is not None


def test_rpc_error_is_a_named_failure_and_the_session_goes_on(session: RESession) -> None:
    with pytest.raises(RpcFailedError) as failed:
        session.rpc("<unlock><target><candidate/></target></unlock>")  # not locked by us
    assert failed.value.errors and failed.value.errors[0][0] == "error"
    assert session.rpc("<get-config><source><running/></source></get-config>") is not None


def test_stock_ncclient_in_the_same_process_is_unchanged(netconfd: NetconfdServer,
                                                        session: RESession) -> None:
    # The harness fixed its own sessions only: ncclient's Junos handler, used directly, still
    # fails on netconfd's replies exactly as before (ncclient 0.7.0, which PyEZ pins).
    session.rpc("<get-config><source><running/></source></get-config>")
    m = manager.connect(host=netconfd.host, port=netconfd.port, username=netconfd.username,
                        key_filename=netconfd.key_file, hostkey_verify=False,
                        look_for_keys=False, allow_agent=False, timeout=20,
                        device_params={"name": "junos"})
    try:
        with pytest.raises(ValueError, match="encoding declaration"):
            m.get_config(source="running")
    finally:
        m._session.close()  # noqa: SLF001 (close-session itself would fail the same way)
