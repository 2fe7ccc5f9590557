"""Typed builders of the RPCs the harness sends: each returns a fresh lxml element.

One function per Junos RPC (names and options from ``junos/NOTES.md`` sections 3.2-3.12), with
typed arguments instead of XML written by hand: values become element text or attributes, so
lxml escapes them, and a typo in an option is a Python error rather than a request the router
refuses.  Nothing here sends anything; :class:`harness.router.DualRERouter` does.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from lxml import etree

from re_contract.control import ControlRpc, control_request

__all__ = [
    "ConfigFormat",
    "ShutdownScope",
    "SwitchMethod",
    "command",
    "commit_configuration",
    "control",
    "get_chassis_inventory",
    "get_configuration",
    "get_fpc_information",
    "get_log",
    "get_route_engine_information",
    "get_switchover_information",
    "gres_configuration",
    "load_configuration",
    "load_rollback",
    "request_halt",
    "request_power_on_other",
    "request_reboot",
    "request_switch",
]


_E = TypeVar("_E", bound=Enum)


def _named(kind: type[_E], what: str, name: str) -> _E:
    """Return the member of ``kind`` whose lower-case name is ``name``.

    Raises ValueError naming ``what`` and the names there are.
    """
    by_name = {member.name.lower(): member for member in kind}
    if name not in by_name:
        raise ValueError(f"{what}: expected one of {sorted(by_name)}, got {name!r}")
    return by_name[name]


class SwitchMethod(Enum):
    """``request chassis routing-engine master <method>``; the value is the RPC (NOTES.md 3.4)."""

    SWITCH = "request-chassis-routing-engine-switch"
    ACQUIRE = "request-chassis-routing-engine-acquire"
    RELEASE = "request-chassis-routing-engine-release"

    @classmethod
    def named(cls, method: str) -> SwitchMethod:
        """Return the method called ``method`` (``switch``, ``acquire``, ``release``).

        Raises ValueError naming the methods there are.
        """
        return _named(cls, "method", method)


class ShutdownScope(Enum):
    """Which REs ``request system halt|reboot`` reaches (NOTES.md 3.5): the value is the option
    element (None: the local RE only)."""

    LOCAL = None
    BOTH = "both-routing-engines"
    OTHER = "other-routing-engine"


class ConfigFormat(Enum):
    """Payload formats of ``load-configuration``: the value is the payload element."""

    SET = "configuration-set"
    TEXT = "configuration-text"
    XML = "configuration"

    @classmethod
    def named(cls, name: str) -> ConfigFormat:
        """Return the format called ``name`` (``set``, ``text``, ``xml``).

        Raises ValueError naming the formats there are.
        """
        return _named(cls, "format", name)


def _rpc(tag: str, *flags: str | None, **texts: str) -> etree._Element:
    """Return ``<tag>`` with an empty child per flag (None skipped) and a text child per
    keyword (``_`` in a name becomes ``-``)."""
    el = etree.Element(tag)
    for flag in flags:
        if flag is not None:
            etree.SubElement(el, flag)
    for name, text in texts.items():
        etree.SubElement(el, name.replace("_", "-")).text = text
    return el


def get_route_engine_information() -> etree._Element:
    """Return ``show chassis routing-engine``."""
    return _rpc("get-route-engine-information")


def get_fpc_information() -> etree._Element:
    """Return ``show chassis fpc``."""
    return _rpc("get-fpc-information")


def get_switchover_information() -> etree._Element:
    """Return ``show system switchover`` (answered on the backup RE)."""
    return _rpc("get-switchover-information")


def get_chassis_inventory() -> etree._Element:
    """Return ``show chassis hardware`` (answered on the master RE only)."""
    return _rpc("get-chassis-inventory")


def get_log(filename: str) -> etree._Element:
    """Return ``show log <filename>``."""
    return _rpc("get-log", filename=filename)


def command(cli: str, *, text: bool = True) -> etree._Element:
    """Return ``<command>`` running CLI line ``cli``; its reply as text unless ``text`` is
    False (then as XML)."""
    el = etree.Element("command")
    el.text = cli
    if text:
        el.set("format", "text")
    return el


def request_switch(method: SwitchMethod, *, check: bool = False) -> etree._Element:
    """Return ``request chassis routing-engine master <method> no-confirm`` (``check``: only
    ask whether it would be accepted now, ``... switch check``)."""
    return _rpc(method.value, "check" if check else "no-confirm")


def request_halt(scope: ShutdownScope = ShutdownScope.LOCAL) -> etree._Element:
    """Return ``request system halt`` for the REs of ``scope``."""
    return _rpc("request-halt", scope.value)


def request_reboot(scope: ShutdownScope = ShutdownScope.LOCAL) -> etree._Element:
    """Return ``request system reboot`` for the REs of ``scope``."""
    return _rpc("request-reboot", scope.value)


def request_power_on_other() -> etree._Element:
    """Return ``request system power-on other-routing-engine``."""
    return _rpc("request-power-on", ShutdownScope.OTHER.value)


def load_configuration(payload: str, fmt: ConfigFormat) -> etree._Element:
    """Return ``load-configuration`` of ``payload``: ``set`` lines (action set), curly text
    (merge) or an XML ``<configuration>`` document (merge).

    Raises ValueError when an XML payload is not well-formed XML.
    """
    action = "set" if fmt is ConfigFormat.SET else "merge"
    el = etree.Element("load-configuration", action=action)
    if fmt is ConfigFormat.XML:
        try:
            el.append(etree.fromstring(payload))
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"configuration: not well-formed XML: {exc}") from exc
        return el
    el.set("format", "text")
    etree.SubElement(el, fmt.value).text = payload
    return el


def load_rollback(n: int) -> etree._Element:
    """Return ``load-configuration rollback="n"`` (``rollback n`` into the candidate).

    Raises ValueError for a negative ``n``.
    """
    if n < 0:
        raise ValueError(f"rollback: expected 0 or more, got {n}")
    return etree.Element("load-configuration", rollback=str(n))


def commit_configuration(*, check: bool = False, synchronize: bool = False,
                         comment: str | None = None) -> etree._Element:
    """Return ``commit`` (``check``: ``commit check``; ``synchronize``: ``commit synchronize``,
    NOTES.md 3.6; ``comment``: ``commit comment``)."""
    el = _rpc("commit-configuration", "check" if check else None,
              "synchronize" if synchronize else None)
    if comment:
        etree.SubElement(el, "log").text = comment
    return el


def get_configuration(*, database: str = "committed", text: bool = True,
                      inherit: bool = False, within: etree._Element | None = None
                      ) -> etree._Element:
    """Return ``get-configuration`` of ``database``: as curly text unless ``text`` is False,
    with groups applied when ``inherit``, only the subtree ``within`` (a ``<configuration>``
    filter) when given."""
    el = etree.Element("get-configuration", database=database)
    if text:
        el.set("format", "text")
    if inherit:
        el.set("inherit", "inherit")
    if within is not None:
        el.append(within)
    return el


def gres_configuration() -> etree._Element:
    """Return ``get-configuration`` of the committed ``chassis redundancy`` stanza, as XML."""
    within = etree.Element("configuration")
    etree.SubElement(etree.SubElement(within, "chassis"), "redundancy")
    return get_configuration(text=False, within=within)


def control(rpc: ControlRpc | str, **children: object) -> etree._Element:
    """Return emulator control RPC ``rpc`` in its own namespace, a text child per keyword
    (``_`` in a name becomes ``-``): the contract's builder (:mod:`re_contract.control`).

    Raises ControlRpcError for an RPC or argument the contract does not declare.
    """
    return control_request(rpc, **children)
