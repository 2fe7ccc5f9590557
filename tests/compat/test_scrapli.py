"""scrapli-netconf against the served emulator (its default ``system`` transport: OpenSSH's
client in a pty): hello, get-config, a Junos RPC, the candidate cycle (lock, edit-config,
commit, unlock), on each RE's address and on the master-only address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree
from scrapli_netconf.driver import NetconfDriver

from tests.compat.served import PASSWORD, TARGET_RE, USER, ServedEmulator

compat = pytest.mark.compat

EDIT = """<config><configuration><system><domain-name>example.net</domain-name></system>
</configuration></config>"""


@pytest.fixture
def conn(served: ServedEmulator, target: str) -> Iterator[NetconfDriver]:
    ep = served.endpoint(target)
    driver = NetconfDriver(host=ep.host, port=ep.port, auth_username=USER,
                           auth_password=PASSWORD, auth_strict_key=False, timeout_ops=30,
                           timeout_socket=30, timeout_transport=30,
                           ssh_config_file=False)
    driver.open()
    yield driver
    driver.close()


def _xml(result: object) -> etree._Element:
    assert not result.failed, result.result  # type: ignore[attr-defined]
    return etree.fromstring(result.result.encode())  # type: ignore[attr-defined]


@compat("scrapli-netconf", "scrapli-netconf", "hello, get-config")
def test_get_config(conn: NetconfDriver) -> None:
    assert "urn:ietf:params:netconf:capability:candidate:1.0" in conn.server_capabilities
    reply = _xml(conn.get_config(source="running"))
    assert reply.findtext(".//{*}system/{*}host-name") == "r1"


@compat("scrapli-netconf", "scrapli-netconf", "rpc (Junos RPC)")
def test_rpc(conn: NetconfDriver, target: str) -> None:
    reply = _xml(conn.rpc(filter_="<get-route-engine-information/>"))
    states = {r.findtext("{*}slot"): r.findtext("{*}mastership-state")
              for r in reply.iter("{*}route-engine")}
    assert states == {"0": "master", "1": "backup"}
    pwd = _xml(conn.rpc(filter_="<command>show cli directory</command>"))
    assert pwd.findtext(".//{*}working-directory") == "/var/home/lab"
    del target  # every target answers the same: both REs know the whole chassis


@compat("scrapli-netconf", "scrapli-netconf", "lock, edit-config, commit, unlock")
def test_candidate_cycle(served: ServedEmulator, conn: NetconfDriver, target: str) -> None:
    _xml(conn.lock(target="candidate"))
    _xml(conn.edit_config(config=EDIT, target="candidate"))
    _xml(conn.commit())
    _xml(conn.unlock(target="candidate"))
    reply = _xml(conn.get_config(source="running"))
    assert reply.findtext(".//{*}system/{*}domain-name") == "example.net"
    assert TARGET_RE[target] in ("re0", "re1")
