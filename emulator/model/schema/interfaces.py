"""``[edit interfaces]``: physical interfaces (``fxp0``, ``em0``, ``lo0``, ``ge-``/``xe-``,
``ae``), their units and the inet / inet6 / iso / mpls families.

Facts from ``junos-conf-interfaces@2022-01-01.yang`` (22.4R1): the nokeyword ``interface``
list (``interfaces { fxp0 { ... } }``), ``description``, the ``disable`` case of the
enable-disable choice, ``vlan-tagging``, ``mtu``, ``aggregated-ether-options lacp``,
``unit`` with ``family`` (shown merged: ``family inet {``) and its ``address`` lists.  The
unit number range 0..1073741823 is Junos's logical unit range (the YANG types it as a
string).
"""

from __future__ import annotations

from emulator.model.schema.build import container, flag, leaf, leaves, lst, presence
from emulator.model.schema.types import Choice, IfName, Ip, Number, Statement, Text

__all__ = ["INTERFACES"]


def _filters() -> Statement:
    return container("filter", "Packet filtering",
                     leaf("input", "Name of filter applied to received packets", Text(),
                          placeholder="<filter-name>"),
                     leaf("output", "Name of filter applied to transmitted packets", Text(),
                          placeholder="<filter-name>"))


_INET = presence(
    "inet", "IPv4 parameters",
    leaf("mtu", "Protocol family maximum transmission unit", Number()),
    flag("no-redirects", "Do not redirect traffic"),
    _filters(),
    lst("address", "Interface address/destination prefix", Ip(4, False),
        leaf("destination", "Destination address", Ip(4)),
        flag("primary", "Candidate for primary address in system"),
        flag("preferred", "Preferred address on interface"),
        flag("master-only", "Master management IP address for router"),
        placeholder="<address>"),
)

_INET6 = presence(
    "inet6", "IPv6 protocol parameters",
    leaf("mtu", "Protocol family maximum transmission unit", Number()),
    _filters(),
    lst("address", "Interface address or destination prefix", Ip(6, False),
        flag("eui-64", "Generate EUI-64 interface ID"),
        flag("primary", "Candidate for primary address in system"),
        flag("preferred", "Preferred address on interface"),
        flag("master-only", "Master management IP address for router"),
        placeholder="<address>"),
)

_FAMILY = container(
    "family", "Protocol family",
    _INET,
    presence("iso", "OSI ISO protocol parameters",
             lst("address", "Interface address", Text(), placeholder="<address>"),
             leaf("mtu", "Protocol family maximum transmission unit", Number())),
    _INET6,
    presence("mpls", "MPLS protocol parameters",
             leaf("mtu", "Protocol family maximum transmission unit", Number())),
    merged=True,
)

_UNIT = lst(
    "unit", "Logical interface", Number(0, 1073741823),
    flag("disable", "Disable this logical interface", choice="enable-disable"),
    leaf("description", "Text description of interface", Text()),
    leaf("mtu", "Maximum transmission unit packet size", Number()),
    leaf("vlan-id", "Virtual LAN identifier value for 802.1q VLAN tags", Number(0, 4094),
         choice="vlan"),
    _FAMILY,
    placeholder="<logical-unit-number>", key_help="Interface unit number",
)

_INTERFACE = lst(
    "interface", "Physical interface", IfName(),
    leaf("description", "Text description of interface", Text()),
    flag("disable", "Disable this interface", choice="enable-disable"),
    flag("vlan-tagging", "802.1q VLAN tagging support", choice="vlan-tag-mode"),
    flag("stacked-vlan-tagging", "Stacked 802.1q VLAN tagging support",
         choice="vlan-tag-mode"),
    leaf("speed", "Link speed", Choice(("auto", "10m", "100m", "1g", "10g", "25g", "40g",
                                        "50g", "100g", "400g"))),
    leaf("mtu", "Maximum transmit packet size", Number()),
    leaf("encapsulation", "Physical link-layer encapsulation",
         Choice(("ethernet", "ppp", "cisco-hdlc", "ethernet-ccc", "vlan-ccc",
                 "flexible-ethernet-services", "ethernet-vpls", "ethernet-bridge"))),
    container("aggregated-ether-options", "Aggregated Ethernet interface-specific options",
              leaf("minimum-links", "Minimum number of aggregated links", Number(1, 64)),
              leaf("link-speed", "Link speed of individual interface that joins the AE",
                   Choice(("1g", "10g", "25g", "40g", "50g", "100g", "400g", "mixed"))),
              container("lacp", "Link Aggregation Control Protocol configuration",
                        flag("active", "Initiate transmission of LACP packets",
                             choice="mode"),
                        flag("passive", "Respond to LACP packets", choice="mode"),
                        leaf("periodic", "Timer interval for periodic transmission of LACP "
                             "packets", Choice(("fast", "slow"))))),
    _UNIT,
    keyword=False, placeholder="<interface-name>", key_help="Interface name",
)

INTERFACES = container(
    "interfaces", "Interface configuration",
    lst("interface-range", "Interface ranges configuration", Text(),
        leaves("member", "Interface name or regex", Text()),
        leaf("description", "Text description of interface", Text()),
        placeholder="<range-name>"),
    _INTERFACE,
)
