"""ncclient (as Junos users drive it: ``device_params={"name": "junos"}``) and the harness's own
session (:class:`harness.session.RESession`, ncclient underneath) against the served emulator:
hello, get-config, a Junos RPC and the candidate cycle, on each RE's address and on the
master-only address, over both framings."""

from __future__ import annotations

from collections.abc import Iterator

import ncclient  # noqa: F401  (the client this module is for must be installed)
import pytest
from lxml import etree
from ncclient import manager
from ncclient.manager import Manager

from harness.session import ConnectParams, RESession
from tests.compat.served import PASSWORD, TARGET_RE, USER, ServedEmulator

compat = pytest.mark.compat

EDIT = """<config><configuration><system><domain-name>example.net</domain-name></system>
</configuration></config>"""


@pytest.fixture
def m(served: ServedEmulator, target: str) -> Iterator[Manager]:
    ep = served.endpoint(target)
    with manager.connect(host=ep.host, port=ep.port, username=USER, password=PASSWORD,
                         hostkey_verify=False, look_for_keys=False, allow_agent=False,
                         device_params={"name": "junos"}, timeout=30) as session:
        yield session


def _states(reply: etree._Element) -> dict[str, str]:
    return {r.findtext("{*}slot") or "": r.findtext("{*}mastership-state") or ""
            for r in reply.iter("{*}route-engine")}


def _xml(reply: object) -> etree._Element:
    """The reply as an element (the Junos handler gives NCElement, stripped of namespaces;
    others an RPCReply: ``str`` is the XML of both)."""
    return etree.fromstring(str(reply).encode())


@compat("ncclient", "ncclient", "hello, get-config, Junos RPC")
def test_get_config_and_rpc(m: Manager, target: str) -> None:
    assert "http://xml.juniper.net/netconf/junos/1.0" in m.server_capabilities
    conf = _xml(m.get_config(source="running"))
    assert conf.findtext(".//{*}system/{*}host-name") == "r1"
    engines = _xml(m.dispatch(etree.Element("get-route-engine-information")))
    assert _states(engines) == {"0": "master", "1": "backup"}
    assert TARGET_RE[target] in ("re0", "re1")


@compat("ncclient", "ncclient", "lock, edit-config, commit, unlock")
def test_candidate_cycle(m: Manager) -> None:
    with m.locked(target="candidate"):
        m.edit_config(target="candidate", config=EDIT)
        m.commit()
    conf = _xml(m.get_config(source="running"))
    assert conf.findtext(".//{*}system/{*}domain-name") == "example.net"


@compat("harness RESession", "re-redundancy-harness", "open, rpc, close")
def test_harness_session(served: ServedEmulator, target: str) -> None:
    ep = served.endpoint(target)
    session = RESession(ConnectParams(ep.host, ep.port, USER, PASSWORD, label=target))
    try:
        session.open()
        for _ in range(3):  # several RPCs on one session, replies read in order
            reply = session.rpc("<get-route-engine-information/>")
            assert _states(reply) == {"0": "master", "1": "backup"}
        version = session.rpc("<get-software-information/>")
        assert version.findtext(".//junos-version") == "15.1F5.15"
    finally:
        session.close()
    assert not session.connected
