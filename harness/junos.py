"""Typed readers of Junos replies (parsed with jxmlease), shared by lab routers and emulator.

Each reader takes the ``<rpc-reply>`` element a :class:`harness.session.RESession` returns and
gives frozen records; field names follow the Junos XML element names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jxmlease
from lxml import etree

__all__ = [
    "NOT_MASTER_TEXT",
    "CommitReport",
    "CommitStep",
    "load_errors",
    "parse_commit",
    "reply_warnings",
    "RouteEngineStatus",
    "SoftwareVersion",
    "SwitchoverInfo",
    "parse_route_engines",
    "parse_software",
    "parse_switchover",
    "reply_text",
]

NOT_MASTER_TEXT = "can only be used on the master routing engine"

_parser = jxmlease.EtreeParser()


def _tree(reply: etree._Element) -> Any:
    return _parser(reply)


def _items(node: Any, key: str) -> Iterator[Any]:
    """Yield the children named ``key`` of a jxmlease node (one or a list), recursively."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield from (v if isinstance(v, list) else [v])
            else:
                yield from _items(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _items(v, key)


def _text(node: Any, key: str, default: str = "") -> str:
    value = node.get(key) if isinstance(node, dict) else None
    if value is None:
        return default
    return str(value).strip()


def _int(node: Any, key: str) -> int | None:
    text = _text(node, key)
    try:
        return int(text.split()[0]) if text else None
    except ValueError:
        return None


def _seconds_attr(node: Any, key: str) -> int | None:
    value = node.get(key) if isinstance(node, dict) else None
    if value is None:
        return None
    attr = value.get_xml_attr("seconds", None)
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

    @property
    def name(self) -> str:
        """Return ``re0`` / ``re1``."""
        return f"re{self.slot}"

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


def parse_route_engines(reply: etree._Element) -> list[RouteEngineStatus]:
    """Return the RE entries of a ``get-route-engine-information`` reply, by slot."""
    out = []
    for re_node in _items(_tree(reply), "route-engine"):
        out.append(RouteEngineStatus(
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
        ))
    return sorted(out, key=lambda r: r.slot)


@dataclass(frozen=True, slots=True)
class SoftwareVersion:
    """One RE's ``software-information`` (``show version [invoke-on all-routing-engines]``)."""

    re_name: str
    host_name: str
    product_model: str
    junos_version: str


def parse_software(reply: etree._Element) -> list[SoftwareVersion]:
    """Return per-RE versions from a ``get-software-information`` or multi-RE reply."""
    tree = _tree(reply)
    items = list(_items(tree, "multi-routing-engine-item")) or [
        {"software-information": s} for s in _items(tree, "software-information")]
    out = []
    for item in items:
        sw = item.get("software-information", {})
        version = _text(sw, "junos-version")
        if not version:
            for pkg in _items(sw, "package-information"):
                comment = _text(pkg, "comment")
                if "[" in comment:
                    version = comment[comment.index("[") + 1: comment.rindex("]")]
                    break
        out.append(SoftwareVersion(_text(item, "re-name", "re0"), _text(sw, "host-name"),
                                   _text(sw, "product-model"), version))
    return out


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
