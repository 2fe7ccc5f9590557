"""``[edit protocols]`` basics: OSPF, IS-IS, BGP, LLDP.

Facts from ``junos-conf-protocols@2022-01-01.yang`` (22.4R1): ``ospf area`` (an area id, shown
dotted: ``area 0`` is stored as ``area 0.0.0.0``) with ``interface`` (``passive``, ``metric``
1..65535, ``interface-type``, hello 1..255 / dead 1..65535 seconds); ``isis interface``
(``level`` 1..2 with ``metric`` 0..16777215, ``point-to-point``, ``passive``) and global
``level``; ``bgp`` and ``group`` / ``neighbor`` sharing their peer options (``type``,
``local-address``, ``peer-as``, ``hold-time`` 0..65535, ``family inet unicast``, import /
export); ``lldp`` with ``interface``.
"""

from __future__ import annotations

from emulator.model.schema.build import container, flag, leaf, leaves, lst, presence
from emulator.model.schema.types import (
    AreaId,
    AsNumber,
    Choice,
    Either,
    IfName,
    Ip,
    Number,
    Statement,
    Text,
)

__all__ = ["PROTOCOLS"]

_ONOFF = "enable-disable"
_INTERFACE = IfName(unit=True, extra=("all",))

_OSPF_INTERFACE = lst(
    "interface", "Include an interface in this area", Either(Ip(4), _INTERFACE),
    flag("disable", "Disable OSPF on this interface", choice=_ONOFF),
    leaf("interface-type", "Type of interface", Choice(("nbma", "p2mp", "p2p",
                                                        "p2mp-over-lan"))),
    presence("passive", "Do not run OSPF, but advertise it"),
    leaf("metric", "Interface metric", Number(1, 65535)),
    leaf("priority", "Designated router priority", Number(0, 255)),
    leaf("hello-interval", "Hello interval (seconds)", Number(1, 255)),
    leaf("dead-interval", "Dead interval (seconds)", Number(1, 65535)),
    container("bfd-liveness-detection", "Bidirectional Forwarding Detection options",
              leaf("minimum-interval", "Minimum transmit and receive interval",
                   Number(1, 255000)),
              leaf("multiplier", "Detection time multiplier", Number(1, 255))),
    placeholder="<interface_name>", key_help="Interface name",
)

_OSPF = container(
    "ospf", "OSPF configuration",
    lst("area", "Configure an OSPF area", AreaId(),
        presence("stub", "Configure a stub area", flag("no-summaries",
                                                       "Don't flood summary LSAs into area"),
                 choice="stub-option"),
        presence("nssa", "Configure a not-so-stubby area", choice="stub-option"),
        lst("area-range", "Configure area ranges", Ip(0, True),
            flag("restrict", "Restrict advertisement of this area range"),
            placeholder="<area_range>"),
        _OSPF_INTERFACE,
        placeholder="<area_id>", key_help="Area ID"),
    flag("disable", "Disable OSPF", choice=_ONOFF),
    presence("overload", "Set the overload mode (repel transit traffic)"),
    leaf("preference", "Preference of internal routes", Number()),
    leaf("external-preference", "Preference of external routes", Number()),
    leaves("export", "Export policy", Text()),
    leaves("import", "Import policy", Text()),
    leaf("reference-bandwidth", "Bandwidth for calculating metric defaults", Text()),
)

_ISIS_LEVEL_IF = lst(
    "level", "Configure levels on this interface", Number(1, 2),
    flag("disable", "Disable IS-IS on this level", choice=_ONOFF),
    leaf("metric", "Metric for this level", Number(0, 16777215)),
    leaf("priority", "Priority for Designated Router election on this level", Number(0, 127)),
    leaf("hello-interval", "Hello interval", Number(1, 20000)),
    placeholder="<level>", key_help="IS-IS level number", oneliner=True,
)

_ISIS = container(
    "isis", "IS-IS options",
    lst("interface", "Interface configuration", _INTERFACE,
        _ISIS_LEVEL_IF,
        flag("disable", "Disable IS-IS on this interface", choice=_ONOFF),
        flag("point-to-point", "Treat interface as point to point"),
        presence("passive", "Do not run IS-IS, but advertise it"),
        placeholder="<interface_name>", key_help="Interface name"),
    lst("level", "Configure global level attributes", Number(1, 2),
        flag("disable", "Disable IS-IS on this level", choice=_ONOFF),
        flag("wide-metrics-only", "Generate wide metrics only"),
        leaf("preference", "Preference of internal routes", Number()),
        placeholder="<level>", key_help="IS-IS level number", oneliner=True),
    flag("disable", "Disable IS-IS", choice=_ONOFF),
    leaves("export", "Export policy", Text()),
    leaves("import", "Import policy", Text()),
    leaf("reference-bandwidth", "Bandwidth for calculating metric defaults", Text()),
    presence("overload", "Set the overload bit (no transit traffic)"),
)


_FAMILY = container(
    "family", "Protocol family for NLRIs in updates",
    *(container(fam, help_text,
                presence("unicast", "Include unicast NLRI"),
                presence("multicast", "Include multicast NLRI"))
      for fam, help_text in (("inet", "IPv4 NLRI parameters"),
                             ("inet6", "IPv6 NLRI parameters"))),
    container("inet-vpn", "IPv4 Layer 3 VPN NLRI parameters",
              presence("unicast", "Include unicast NLRI")),
    container("evpn", "EVPN NLRI parameters",
              presence("signaling", "Include signaling NLRI")),
    merged=True,
)


def _peer_options() -> tuple[Statement, ...]:
    """The options ``bgp``, ``group`` and ``neighbor`` share (YANG ``bgp-afi-default`` and
    friends), in the YANG order of ``group``."""
    return (
        leaf("description", "Text description", Text(1, 255)),
        presence("multihop", "Configure an EBGP multihop session",
                 leaf("ttl", "TTL value for the session", Number(1, 255))),
        leaf("preference", "Preference value", Number()),
        leaf("local-preference", "Value of LOCAL_PREF path attribute", Number()),
        leaf("local-address", "Address of local end of BGP session", Ip()),
        leaf("hold-time", "Hold time used when negotiating with a peer", Number(0, 65535)),
        flag("passive", "Do not send open messages to a peer"),
        flag("log-updown", "Log a message for peer state transitions"),
        leaves("import", "Import policy", Text()),
        _FAMILY,
        leaf("authentication-key", "MD5 authentication key", Text(1, 126)),
        leaves("export", "Export policy", Text()),
        presence("remove-private", "Remove well-known private AS numbers"),
        leaf("cluster", "Cluster identifier", AreaId()),
        leaf("peer-as", "Autonomous system number", AsNumber()),
        container("local-as", "Local autonomous system number",
                  leaf("as-number", "Autonomous system number", AsNumber(), keyword=False,
                       placeholder="<autonomous-system>"),
                  advanced=False, oneliner=True),
        presence("graceful-restart", "BGP graceful restart options",
                 flag("disable", "Disable graceful restart")),
        presence("multipath", "Allow load sharing among multiple BGP paths",
                 flag("multiple-as", "Use paths received from different ASs")),
        container("bfd-liveness-detection", "Bidirectional Forwarding Detection (BFD) options",
                  leaf("minimum-interval", "Minimum transmit and receive interval",
                       Number(1, 255000)),
                  leaf("multiplier", "Detection time multiplier", Number(1, 255))),
    )


_NEIGHBOR = lst("neighbor", "Configure a neighbor", Ip(), *_peer_options(),
                placeholder="<address>", key_help="Address of neighbor")

_BGP = container(
    "bgp", "BGP options",
    _FAMILY,
    lst("group", "Define a peer group", Text(),
        leaf("type", "Type of peer group", Choice(("internal", "external"))),
        *_peer_options(),
        _NEIGHBOR,
        placeholder="<group-name>", key_help="Group name"),
    flag("disable", "Disable BGP", choice=_ONOFF),
    *(o for o in _peer_options() if o.name != "family"),
)

_LLDP = container(
    "lldp", "Link Layer Detection Protocol",
    flag("disable", "Disable LLDP", choice=_ONOFF),
    leaf("management-address", "LLDP management address", Ip()),
    leaf("advertisement-interval", "Transmit interval for LLDP messages", Number(5, 32768)),
    leaf("hold-multiplier", "Hold timer interval for LLDP messages", Number(2, 10)),
    leaf("port-id-subtype", "Sub-type to be used for Port ID TLV generation",
         Choice(("locally-assigned", "interface-name"))),
    lst("interface", "Interface configuration", _INTERFACE,
        flag("disable", "Disable LLDP", choice=_ONOFF),
        placeholder="<interface-name>", key_help="Interface name"),
)

PROTOCOLS = container(
    "protocols", "Routing protocol configuration",
    _BGP,
    _ISIS,
    _OSPF,
    _LLDP,
)
