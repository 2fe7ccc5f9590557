"""Typed readers of Junos replies, shared by lab routers and emulator.

Each reader takes the ``<rpc-reply>`` element a :class:`harness.session.RESession` returns and
gives frozen records; field names follow the Junos XML element names.  They read the lxml tree
directly, in the order jxmlease's dictionaries gave (see :func:`_items`), at a fraction of the
cost: the harness reads ``show chassis routing-engine`` at every poll of a wait.

``show chassis routing-engine`` comes in every multi-RE shape real routers send (golden
replies in ``tests/unit/data``): one chassis (its REs as siblings), and
``multi-routing-engine-results`` with one item per MX virtual-chassis member, SRX cluster node
or routing-matrix chassis.  :func:`parse_route_engine_reply` keeps each RE with its member and
finds the master per member; a question the reply cannot answer (which member of a virtual
chassis is in charge) raises :class:`~harness.errors.AmbiguousReplyError` instead of picking.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from lxml import etree

from harness.errors import AmbiguousReplyError

__all__ = [
    "NOT_MASTER_TEXT",
    "ChassisREs",
    "CommitReport",
    "CommitStep",
    "load_errors",
    "parse_commit",
    "reply_warnings",
    "MemberKind",
    "RouteEngineReply",
    "RouteEngineStatus",
    "SoftwareVersion",
    "SwitchoverInfo",
    "member_of",
    "parse_route_engine_reply",
    "parse_route_engines",
    "parse_software",
    "parse_switchover",
    "reply_text",
]

NOT_MASTER_TEXT = "can only be used on the master routing engine"


def _items(node: etree._Element, key: str) -> Iterator[etree._Element]:
    """Yield the elements named ``key`` under ``node`` (not ``node`` itself, nor inside a
    match), children grouped by name in the order each name first appears, depth first: the
    order of a jxmlease dictionary walk, which the readers kept before they read lxml."""
    groups: dict[str, list[etree._Element]] = {}
    for child in node:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            groups.setdefault(child.tag, []).append(child)
    for tag, children in groups.items():
        for child in children:
            if tag == key:
                yield child
            else:
                yield from _items(child, key)


def _text(node: etree._Element, key: str, default: str = "") -> str:
    """Return the stripped text of ``node``'s first child ``key``, ``default`` without one."""
    child = node.find(key)
    if child is None:
        return default
    return (child.text or "").strip()


def _int(node: etree._Element, key: str) -> int | None:
    text = _text(node, key)
    try:
        return int(text.split()[0]) if text else None
    except ValueError:
        return None


def _seconds_attr(node: etree._Element, key: str) -> int | None:
    """Return the ``junos:seconds`` attribute (namespace stripped) of child ``key``."""
    child = node.find(key)
    attr = child.get("seconds") if child is not None else None
    return int(attr) if attr is not None else None


def _local_time(text: str) -> datetime | None:
    """Return ``2014-04-15 10:02:47 PDT`` as a naive datetime (the zone name dropped: the
    router's log timestamps carry none either), or None when it does not parse."""
    try:
        return datetime.strptime(" ".join(text.split()[:2]), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class RouteEngineStatus:
    """One ``<route-engine>`` of ``show chassis routing-engine``."""

    slot: int
    mastership_state: str
    mastership_priority: str
    status: str
    model: str
    serial_number: str
    start_time: int | None
    up_time: int | None
    last_reboot_reason: str
    #: The start time as the router's own wall clock shows it (its time zone, which its log
    #: timestamps share), from the text of ``<start-time>``; None when absent.
    local_start_time: datetime | None = None
    #: The chassis this RE belongs to in a multi-RE reply (``member0``, ``node1``, ``scc``,
    #: ``lcc0``); None in a single chassis' reply.
    member: str | None = None

    @property
    def name(self) -> str:
        """Return ``re0`` / ``re1``."""
        return f"re{self.slot}"

    @property
    def qualified_name(self) -> str:
        """Return the name with its member, ``member0/re1`` (just ``re1`` on one chassis)."""
        return f"{self.member}/{self.name}" if self.member else self.name

    @property
    def is_master(self) -> bool:
        """Return True for the RE whose state starts with "master" (as PyEZ tests it)."""
        return self.mastership_state.lower().startswith("master")

    @property
    def local_time(self) -> datetime | None:
        """Return the RE's wall-clock time when it answered (start time plus up time, in the
        router's time zone, naive like its log timestamps), or None when not reported."""
        if self.local_start_time is None or self.up_time is None:
            return None
        return self.local_start_time + timedelta(seconds=self.up_time)


class MemberKind(Enum):
    """What one ``multi-routing-engine-item`` of a reply stands for (its ``re-name``)."""

    #: A plain reply: one chassis, its REs by slot (no multi-RE wrapper).
    CHASSIS = "chassis"
    #: An MX virtual chassis member (``member0``): each member has its own master RE.
    VC_MEMBER = "member"
    #: An SRX chassis cluster node (``node0``): one RE per node on branch SRX.
    CLUSTER_NODE = "node"
    #: A routing matrix's switch chassis: TX Matrix ``scc``, TX Matrix Plus ``sfc0``.  Its REs
    #: run the routing protocols of the whole matrix (Juniper, TX Matrix Plus Routing Engine
    #: description), so its master is the matrix's master.
    SWITCH_CHASSIS = "switch-chassis"
    #: A routing matrix's line-card chassis (``lcc0``).
    LINE_CARD_CHASSIS = "line-card-chassis"
    #: Any other item name, kept as written.
    OTHER = "other"


_MEMBER_NAMES: tuple[tuple[re.Pattern[str], MemberKind], ...] = (
    (re.compile(r"member\d+"), MemberKind.VC_MEMBER),
    (re.compile(r"node\d+"), MemberKind.CLUSTER_NODE),
    (re.compile(r"scc|sfc\d*"), MemberKind.SWITCH_CHASSIS),
    (re.compile(r"lcc\d+"), MemberKind.LINE_CARD_CHASSIS),
)


def member_of(re_name: str) -> tuple[MemberKind, str]:
    """Return the kind and chassis name of an item's ``re-name``: ``member1`` is VC member
    ``member1``; ``lcc0-re0`` (the LCC's answer, from its RE0) is line-card chassis ``lcc0``."""
    chassis = re.sub(r"-re\d+$", "", re_name)
    for pattern, kind in _MEMBER_NAMES:
        if pattern.fullmatch(chassis):
            return kind, chassis
    return MemberKind.OTHER, re_name


@dataclass(frozen=True, slots=True)
class ChassisREs:
    """The REs of one chassis of a reply: a plain reply's chassis, or one VC member, cluster
    node or routing-matrix chassis (``re_name`` as the router wrote it, ``chassis`` short)."""

    re_name: str | None
    kind: MemberKind
    chassis: str | None
    route_engines: tuple[RouteEngineStatus, ...]

    def master(self) -> RouteEngineStatus | None:
        """Return this chassis' master RE, or None when no RE is master.

        An RE that reports no mastership state at all is master when it is its chassis' only
        RE (an SRX cluster node's RE; PyEZ reads it so).  Raises AmbiguousReplyError when two
        REs report master."""
        masters = [r for r in self.route_engines if r.is_master]
        if len(masters) > 1:
            names = [r.qualified_name for r in masters]
            raise AmbiguousReplyError(f"{self.chassis or 'the chassis'}: two Routing Engines "
                                      f"report master: {', '.join(names)}", names)
        if masters:
            return masters[0]
        only = self.route_engines[0] if len(self.route_engines) == 1 else None
        return only if only is not None and not only.mastership_state else None


@dataclass(frozen=True, slots=True)
class RouteEngineReply:
    """A ``get-route-engine-information`` reply, chassis by chassis (:class:`ChassisREs`)."""

    members: tuple[ChassisREs, ...]

    @property
    def route_engines(self) -> tuple[RouteEngineStatus, ...]:
        """Return every RE, member by member in the reply's order, by slot within a member."""
        return tuple(r for m in self.members for r in m.route_engines)

    def member(self, name: str) -> ChassisREs:
        """Return the member called ``name`` (``member0`` or its item name ``lcc0-re0``).

        Raises KeyError naming the members there are."""
        for m in self.members:
            if name in (m.chassis, m.re_name):
                return m
        known = ", ".join(str(m.chassis) for m in self.members)
        raise KeyError(f"no member {name!r} in this reply (members: {known})")

    def masters(self) -> dict[str | None, RouteEngineStatus | None]:
        """Return each member's master (None where a member has none), keyed by chassis name
        (None for a plain reply).  Raises AmbiguousReplyError as :meth:`ChassisREs.master`."""
        return {m.chassis: m.master() for m in self.members}

    def master(self, member: str | None = None) -> RouteEngineStatus | None:
        """Return the master RE of ``member``, or of the whole system when None: a single
        chassis' master, a routing matrix's switch-chassis master.  None when it has none.

        Raises AmbiguousReplyError for a VC or cluster asked without a member (each member has
        its master; the reply does not say which member is in charge) or two masters in one
        chassis, and KeyError for an unknown member."""
        if member is not None:
            return self.member(member).master()
        if len(self.members) == 1:
            return self.members[0].master()
        control = [m for m in self.members if m.kind is MemberKind.SWITCH_CHASSIS]
        if len(control) == 1:
            return control[0].master()
        seen = [r.qualified_name for r in self.masters().values() if r is not None]
        raise AmbiguousReplyError(
            f"a reply of {len(self.members)} members names a master per member "
            f"({', '.join(seen) or 'none'}), not one for the system: ask for a member", seen)

    def one_master_each(self) -> bool:
        """Return True when every member has exactly one master RE."""
        try:
            return all(m.master() is not None for m in self.members)
        except AmbiguousReplyError:
            return False


def _route_engine(re_node: etree._Element, member: str | None) -> RouteEngineStatus:
    """Return the record of one ``<route-engine>`` element; a missing slot is 0 (a
    single-RE chassis or cluster node may omit it, as PyEZ reads it)."""
    return RouteEngineStatus(
        slot=_int(re_node, "slot") or 0,
        mastership_state=_text(re_node, "mastership-state"),
        mastership_priority=_text(re_node, "mastership-priority"),
        status=_text(re_node, "status"),
        model=_text(re_node, "model"),
        serial_number=_text(re_node, "serial-number"),
        start_time=_seconds_attr(re_node, "start-time"),
        up_time=_seconds_attr(re_node, "up-time"),
        last_reboot_reason=_text(re_node, "last-reboot-reason"),
        local_start_time=_local_time(_text(re_node, "start-time")),
        member=member,
    )


def _engines_of(node: etree._Element, member: str | None) -> tuple[RouteEngineStatus, ...]:
    """Return the ``<route-engine>`` records under ``node``, by slot."""
    found = (_route_engine(r, member) for r in _items(node, "route-engine"))
    return tuple(sorted(found, key=lambda r: r.slot))


def parse_route_engine_reply(reply: etree._Element) -> RouteEngineReply:
    """Return a ``get-route-engine-information`` reply (namespaces stripped) member by member:
    one :class:`ChassisREs` for a plain reply, one per ``multi-routing-engine-item`` (VC member,
    cluster node, routing-matrix chassis) for the multi-RE shapes, in the reply's order."""
    items = list(reply.iter("multi-routing-engine-item"))
    if not items:
        return RouteEngineReply((ChassisREs(None, MemberKind.CHASSIS, None,
                                            _engines_of(reply, None)),))
    members = []
    for item in items:
        re_name = (item.findtext("re-name") or "").strip()
        kind, chassis = member_of(re_name)
        members.append(ChassisREs(re_name, kind, chassis, _engines_of(item, chassis)))
    return RouteEngineReply(tuple(members))


def parse_route_engines(reply: etree._Element) -> list[RouteEngineStatus]:
    """Return every RE of a ``get-route-engine-information`` reply: member by member in the
    reply's order (see :func:`parse_route_engine_reply`), by slot within a member."""
    return list(parse_route_engine_reply(reply).route_engines)


@dataclass(frozen=True, slots=True)
class SoftwareVersion:
    """One RE's ``software-information`` (``show version [invoke-on all-routing-engines]``)."""

    re_name: str
    host_name: str
    product_model: str
    junos_version: str


def parse_software(reply: etree._Element) -> list[SoftwareVersion]:
    """Return per-RE versions from a ``get-software-information`` or multi-RE reply."""
    items = [(_text(item, "re-name", "re0"), item.find("software-information"))
             for item in _items(reply, "multi-routing-engine-item")]
    if not items:
        items = [("re0", sw) for sw in _items(reply, "software-information")]
    return [_software(re_name, sw) for re_name, sw in items]


def _software(re_name: str, sw: etree._Element | None) -> SoftwareVersion:
    """Return the version record of one ``<software-information>`` (None: an item without
    one, all fields empty)."""
    if sw is None:
        return SoftwareVersion(re_name, "", "", "")
    version = _text(sw, "junos-version")
    if not version:
        for pkg in _items(sw, "package-information"):
            comment = _text(pkg, "comment")
            if "[" in comment:
                version = comment[comment.index("[") + 1: comment.rindex("]")]
                break
    return SoftwareVersion(re_name, _text(sw, "host-name"), _text(sw, "product-model"),
                           version)


@dataclass(frozen=True, slots=True)
class SwitchoverInfo:
    """``show system switchover`` on the backup RE."""

    graceful_switchover: str
    configuration_state: str
    replication_state: str
    ready: bool


def parse_switchover(reply: etree._Element) -> SwitchoverInfo:
    """Return the GRES readiness of a ``get-switchover-information`` reply."""
    root = reply
    state = root.findtext(".//switchover-state", "").strip()

    def child_tag(path: str) -> str:
        el = root.find(path)
        if el is None or len(el) == 0:
            return (el.text or "").strip() if el is not None else ""
        return etree.QName(el[0]).localname

    status = root.findtext(".//switchover-status", "") or root.findtext(
        ".//gresreadiness-status/output", "")
    return SwitchoverInfo(state, child_tag(".//configuration-state"),
                          child_tag(".//replication-state"),
                          status.strip().lower() == "ready")


def reply_text(reply: etree._Element) -> str:
    """Return the joined text of every ``<output>`` in a reply (Junos's text answers)."""
    return "\n".join((o.text or "").strip() for o in reply.iter("output"))


@dataclass(frozen=True, slots=True)
class CommitStep:
    """One ``<routing-engine>`` of ``<commit-results>``: which RE, and check or commit."""

    re_name: str
    step: str  # "check" (commit-check-success) or "commit" (commit-success)


@dataclass(frozen=True, slots=True)
class CommitReport:
    """What a ``commit-configuration`` did: per-RE steps in the router's order, and warnings
    (e.g. commit synchronize with the other RE unreachable: a local commit and a warning)."""

    re_name: str
    steps: tuple[CommitStep, ...]
    warnings: tuple[str, ...]
    check_only: bool = False

    @property
    def committed_on(self) -> tuple[str, ...]:
        """Return the REs that reported ``commit-success``, in order."""
        return tuple(s.re_name for s in self.steps if s.step == "commit")

    @property
    def checked_on(self) -> tuple[str, ...]:
        """Return the REs that reported ``commit-check-success``, in order."""
        return tuple(s.re_name for s in self.steps if s.step == "check")


def parse_commit(reply: etree._Element, re_name: str, check_only: bool = False) -> CommitReport:
    """Return the :class:`CommitReport` of a ``commit-configuration`` reply (NOTES.md 3.6).

    A single-RE commit may answer ``<ok/>`` alone; it then counts as one step on ``re_name``.
    """
    steps = []
    for entry in reply.iter("routing-engine"):
        name = (entry.findtext("name") or re_name).strip()
        if entry.find("commit-check-success") is not None:
            steps.append(CommitStep(name, "check"))
        if entry.find("commit-success") is not None:
            steps.append(CommitStep(name, "commit"))
    if not steps and reply.find(".//ok") is not None:
        steps.append(CommitStep(re_name, "check" if check_only else "commit"))
    return CommitReport(re_name, tuple(steps), reply_warnings(reply), check_only)


def reply_warnings(reply: etree._Element) -> tuple[str, ...]:
    """Return the messages of every ``<rpc-error>`` of severity warning (and ``<xnm:warning>``)
    in a reply, stripped."""
    out = []
    for err in reply.iter("rpc-error", "warning"):
        severity = (err.findtext("error-severity") or "warning").strip()
        message = (err.findtext("error-message") or err.findtext("message") or "").strip()
        if severity == "warning" and message:
            out.append(message)
    return tuple(out)


def load_errors(reply: etree._Element) -> list[tuple[str, str]]:
    """Return (severity, message) of each ``<rpc-error>`` inside ``<load-configuration-results>``
    (Junos reports load errors there, not as a failed RPC: sample
    ``load-configuration.error.pyez.xml``)."""
    out = []
    for results in reply.iter("load-configuration-results"):
        for err in results.iter("rpc-error"):
            out.append(((err.findtext("error-severity") or "error").strip(),
                        (err.findtext("error-message") or "").strip()))
    return out
