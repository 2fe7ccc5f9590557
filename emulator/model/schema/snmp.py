"""``[edit snmp]`` basics: system identity, communities with clients, trap groups, views.

Facts from ``junos-conf-snmp@2022-01-01.yang`` (22.4R1): ``community`` with ``authorization``
read-only | read-write and the ``clients_choice`` (``clients`` prefixes or a ``client-list-name``),
``trap-group`` with ``version``, ``categories`` flags and ``targets``, ``view`` with ``oid``
include / exclude, ``trap-options source-address``.
"""

from __future__ import annotations

from emulator.model.schema.build import container, flag, leaf, leaves, lst, presence
from emulator.model.schema.types import Choice, IfName, Ip, Number, Text

__all__ = ["SNMP"]

_CATEGORIES = (
    ("authentication", "Authentication failures"),
    ("chassis", "Chassis or environment notifications"),
    ("link", "Link up-down transitions"),
    ("remote-operations", "Remote operations"),
    ("routing", "Routing protocol notifications"),
    ("startup", "System warm and cold starts"),
    ("rmon-alarm", "RMON rising and falling alarms"),
    ("vrrp-events", "VRRP notifications"),
    ("configuration", "Configuration notifications"),
    ("services", "Services notifications"),
)

SNMP = container(
    "snmp", "Simple Network Management Protocol configuration",
    leaf("system-name", "System name override", Text()),
    leaf("description", "System description", Text()),
    leaf("location", "Physical location of system", Text()),
    leaf("contact", "Contact information for administrator", Text()),
    leaves("interface", "Restrict SNMP requests to interfaces", IfName(unit=True)),
    lst("view", "Define MIB views", Text(),
        lst("oid", "OID include/exclude list", Text(),
            flag("include", "Include this OID in the view", choice="view-action"),
            flag("exclude", "Exclude this OID from the view", choice="view-action"),
            placeholder="<oid>", oneliner=True, advanced=False),
        placeholder="<view-name>"),
    lst("client-list", "Client list", Text(),
        lst("client-address-list", "Client address", Ip(0, False),
            flag("restrict", "Deny access"), keyword=False, advanced=False,
            placeholder="<address>", oneliner=True),
        placeholder="<client-list-name>"),
    lst("community", "Configure a community string", Text(),
        leaf("view", "View name", Text()),
        leaf("authorization", "Authorization type", Choice(("read-only", "read-write"))),
        leaf("client-list-name", "The name of client list or prefix list", Text(),
             choice="clients"),
        lst("clients", "List of source address prefix ranges to accept", Ip(0, False),
            flag("restrict", "Deny access"), choice="clients", advanced=False,
            placeholder="<address>", oneliner=True, grouped=True),
        placeholder="<community-name>"),
    presence("trap-options", "SNMP trap options",
             container("source-address", "IPv4/IPv6 source address for trap PDUs",
                       flag("lo0", "Use lowest address on loopback interface",
                            choice="address"),
                       leaf("address", "IPv4/IPv6 source address", Ip(), keyword=False,
                            choice="address"),
                       advanced=False, oneliner=True)),
    lst("trap-group", "Configure traps and notifications", Text(),
        leaf("version", "SNMP version", Choice(("all", "v1", "v2"))),
        leaf("destination-port", "SNMP trap receiver port number", Number(1, 65535)),
        container("categories", "Trap categories",
                  *(flag(name, help_text) for name, help_text in _CATEGORIES)),
        lst("targets", "Targets for trap messages", Text(), placeholder="<address>",
            advanced=False, grouped=True),
        leaf("routing-instance", "Routing instance for trap destination", Text()),
        placeholder="<group-name>"),
)
