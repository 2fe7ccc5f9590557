"""``show chassis routing-engine`` in every shape real routers send (issue 13, point 5).

Golden replies: one chassis (a vMX with one RE, an MX480 with two) from ``../shared``, and the
multi-RE shapes kept in ``tests/unit/data`` (sources in its README): an MX virtual chassis
(member + RE), SRX cluster nodes (``node0``/``node1``, one RE each, no mastership state), and
a TX Matrix routing matrix (``scc``, ``lcc0``, ``lcc1``) from ``../shared``.  The master is
found per member; a question a reply cannot answer raises AmbiguousReplyError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from harness.errors import AmbiguousReplyError, NoMasterError
from harness.junos import (
    MemberKind,
    RouteEngineReply,
    member_of,
    parse_route_engine_reply,
    parse_route_engines,
)
from harness.router.status import RouterStatus
from harness.session import strip_namespaces
from tests.shared import sample_path

DATA = Path(__file__).parent / "data"


def reply_of(path: Path) -> etree._Element:
    """Return the reply as the harness session hands it over: namespaces stripped."""
    return strip_namespaces(etree.parse(str(path)).getroot())


def golden(name: str) -> RouteEngineReply:
    path = DATA / name
    assert path.is_file(), f"golden reply {path} is missing"
    return parse_route_engine_reply(reply_of(path))


def shared(name: str) -> RouteEngineReply:
    return parse_route_engine_reply(reply_of(sample_path(name)))


# --- one chassis -----------------------------------------------------------------------------


def test_a_single_re_chassis() -> None:
    reply = shared("get-route-engine-information.single.vmx.pyez.xml")
    (chassis,) = reply.members
    assert (chassis.kind, chassis.chassis, chassis.re_name) == (MemberKind.CHASSIS, None, None)
    master = reply.master()
    assert master is not None and master.qualified_name == "re0" and master.member is None
    assert master.model == "RE-VMX" and reply.masters() == {None: master}


def test_a_dual_re_chassis() -> None:
    reply = shared("get-route-engine-information.dual.mx480.pyez.xml")
    assert [(r.qualified_name, r.mastership_state) for r in reply.route_engines] == [
        ("re0", "master"), ("re1", "backup")]
    master = reply.master()
    assert master is not None and master.name == "re0"
    assert reply.one_master_each()


def test_two_masters_in_one_chassis_is_ambiguous_not_the_first() -> None:
    root = reply_of(sample_path("get-route-engine-information.dual.mx480.pyez.xml"))
    for state in root.iter("mastership-state"):
        state.text = "master"
    reply = parse_route_engine_reply(root)
    with pytest.raises(AmbiguousReplyError, match="two Routing Engines report master") as err:
        reply.master()
    assert err.value.candidates == ("re0", "re1")
    assert not reply.one_master_each()


# --- MX virtual chassis: member + RE ---------------------------------------------------------


def test_mx_virtual_chassis_keeps_each_re_with_its_member() -> None:
    reply = golden("get-route-engine-information.mx-vc.pyez.xml")
    assert [m.kind for m in reply.members] == [MemberKind.VC_MEMBER] * 2
    assert [(r.qualified_name, r.mastership_state, r.serial_number)
            for r in reply.route_engines] == [
        ("member0/re0", "backup", "9013061800"), ("member0/re1", "master", "9013061812"),
        ("member1/re0", "master", "9013061833"), ("member1/re1", "backup", "9013061755")]
    # The flat list keeps the same order (it used to read re0, re0, re1, re1).
    flat = parse_route_engines(reply_of(DATA / "get-route-engine-information.mx-vc.pyez.xml"))
    assert [r.qualified_name for r in flat] == [r.qualified_name for r in reply.route_engines]


def test_mx_virtual_chassis_master_per_member_and_none_for_the_whole() -> None:
    reply = golden("get-route-engine-information.mx-vc.pyez.xml")
    masters = reply.masters()
    assert {k: v.qualified_name for k, v in masters.items() if v} == {
        "member0": "member0/re1", "member1": "member1/re0"}
    m1 = reply.master("member1")
    assert m1 is not None and (m1.name, m1.up_time) == ("re0", 1632898)
    with pytest.raises(AmbiguousReplyError, match="ask for a member") as err:
        reply.master()
    assert err.value.candidates == ("member0/re1", "member1/re0")
    assert reply.one_master_each()


# --- SRX chassis cluster: nodes --------------------------------------------------------------


def test_srx_cluster_nodes_each_have_their_re_as_master() -> None:
    reply = golden("get-route-engine-information.srx-cluster.pyez.xml")
    assert [(m.re_name, m.kind) for m in reply.members] == [
        ("node0", MemberKind.CLUSTER_NODE), ("node1", MemberKind.CLUSTER_NODE)]
    assert [(r.qualified_name, r.mastership_state, r.model) for r in reply.route_engines] == [
        ("node0/re0", "", "RE-SRX210H"), ("node1/re0", "", "RE-SRX210H")]
    node1 = reply.master("node1")
    assert node1 is not None and node1.qualified_name == "node1/re0"
    assert reply.one_master_each()


def test_srx_cluster_names_no_primary_node() -> None:
    # Which node is primary is ``show chassis cluster status``'s answer, not this reply's.
    reply = golden("get-route-engine-information.srx-cluster.pyez.xml")
    with pytest.raises(AmbiguousReplyError) as err:
        reply.master()
    assert err.value.candidates == ("node0/re0", "node1/re0")


def test_srx_cluster_reply_of_one_node_as_napalm_keeps_it() -> None:
    # NAPALM's mock: the stripped tree without <rpc-reply>, one node answering.
    reply = golden("get-route-engine-information.srx-cluster-node0.napalm.xml")
    master = reply.master()
    assert master is not None and master.qualified_name == "node0/re0"
    assert (master.model, master.up_time) == ("RE-SRX345-DUAL-AC", 3626317)


# --- routing matrix: TX Matrix switch chassis and line-card chassis --------------------------


def test_routing_matrix_chassis_by_chassis() -> None:
    reply = shared("get-route-engine-information.multichassis-multi-re-results.txp.pyez.xml")
    assert [(m.re_name, m.chassis, m.kind) for m in reply.members] == [
        ("scc-re0", "scc", MemberKind.SWITCH_CHASSIS),
        ("lcc0-re0", "lcc0", MemberKind.LINE_CARD_CHASSIS),
        ("lcc1-re0", "lcc1", MemberKind.LINE_CARD_CHASSIS)]
    assert [r.qualified_name for r in reply.route_engines] == [
        "scc/re0", "scc/re1", "lcc0/re0", "lcc0/re1", "lcc1/re0", "lcc1/re1"]
    assert {k: v.model for k, v in reply.masters().items() if v} == {
        "scc": "RE-4.0", "lcc0": "RE-A-2000", "lcc1": "RE-A-2000"}


def test_routing_matrix_master_is_the_switch_chassis_master() -> None:
    reply = shared("get-route-engine-information.multichassis-multi-re-results.txp.pyez.xml")
    master = reply.master()
    assert master is not None and master.qualified_name == "scc/re0"
    lcc = reply.master("lcc1-re0")  # the item's own name works too
    assert lcc is not None and lcc.qualified_name == "lcc1/re0"


def test_an_unknown_member_is_named_with_the_known_ones() -> None:
    reply = golden("get-route-engine-information.mx-vc.pyez.xml")
    with pytest.raises(KeyError, match="member2.*member0, member1"):
        reply.master("member2")


@pytest.mark.parametrize(("re_name", "kind", "chassis"), [
    ("member1", MemberKind.VC_MEMBER, "member1"),
    ("node0", MemberKind.CLUSTER_NODE, "node0"),
    ("scc-re0", MemberKind.SWITCH_CHASSIS, "scc"),
    ("sfc0-re1", MemberKind.SWITCH_CHASSIS, "sfc0"),
    ("lcc2-re0", MemberKind.LINE_CARD_CHASSIS, "lcc2"),
    ("re0", MemberKind.OTHER, "re0"),
    ("fpc0", MemberKind.OTHER, "fpc0"),
])
def test_member_names(re_name: str, kind: MemberKind, chassis: str) -> None:
    assert member_of(re_name) == (kind, chassis)


# --- the router's view: find_master on each shape --------------------------------------------


class OneReplySessions:
    """A RouterSessions stand-in whose every RE answers ``reply`` (no network)."""

    name = "r9"
    query_budget = 5.0

    def __init__(self, reply: etree._Element) -> None:
        self.reply = reply
        self.remembered: list[str] = []

    @contextlib.contextmanager
    def bounded(self, seconds: float, what: str) -> Iterator[None]:
        yield None

    def reachable_order(self) -> list[str]:
        return ["re0", "re1"]

    def rpc(self, re_name: str, request: object, *, retries: int = 2) -> etree._Element:
        return self.reply

    def remember_master(self, re_name: str) -> None:
        self.remembered.append(re_name)


def status_of(root: etree._Element) -> tuple[RouterStatus, OneReplySessions]:
    sessions = OneReplySessions(root)
    return RouterStatus(sessions, clock=None), sessions  # type: ignore[arg-type]


def test_find_master_on_one_chassis_and_on_a_routing_matrix() -> None:
    status, sessions = status_of(reply_of(sample_path(
        "get-route-engine-information.dual.mx480.pyez.xml")))
    assert status.find_master() == "re0" and sessions.remembered == ["re0"]
    assert status.backup() == "re1" and status.roles() == {"re0": "master", "re1": "backup"}
    matrix, _ = status_of(reply_of(sample_path(
        "get-route-engine-information.multichassis-multi-re-results.txp.pyez.xml")))
    assert matrix.find_master() == "re0" and matrix.is_master("re0")
    assert matrix.roles()["lcc1/re1"] == "backup"


def test_find_master_on_a_virtual_chassis_raises_instead_of_picking() -> None:
    status, sessions = status_of(reply_of(DATA / "get-route-engine-information.mx-vc.pyez.xml"))
    with pytest.raises(AmbiguousReplyError):
        status.find_master()
    assert sessions.remembered == []
    assert status.roles() == {"member0/re0": "backup", "member0/re1": "master",
                              "member1/re0": "master", "member1/re1": "backup"}
    assert status.settled("re0")  # every member has exactly one master


def test_no_master_is_no_master_error() -> None:
    root = reply_of(sample_path("get-route-engine-information.dual.mx480.pyez.xml"))
    for state in root.iter("mastership-state"):
        state.text = "backup"
    status, _ = status_of(root)
    with pytest.raises(NoMasterError):
        status.find_master()
    assert status.master_or_none() is None and not status.settled("re0")
