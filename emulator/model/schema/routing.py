"""``[edit routing-options]`` and ``[edit policy-options]`` basics.

Facts from ``junos-conf-routing-options@2022-01-01.yang`` (``static route`` with the
``next_hop`` choice: next-hop | reject | discard | receive | next-table, ``qualified-next-hop``,
``preference`` / ``metric`` holding a nokeyword value, ``router-id``, ``autonomous-system``
holding the nokeyword ``as-number``, ``graceful-restart``, ``nonstop-routing``) and
``junos-conf-policy-options@2022-01-01.yang`` (``prefix-list``, ``policy-statement`` with
terms and ``from`` / ``to`` / ``then``, ``community members``, ``as-path``).

Two simplifications, written in docs/emulator-model.md: a ``route-filter`` entry is keyed by its
prefix alone (YANG keys it by prefix, match type and value), and ``then community add X`` is a
container of three leaf-lists (YANG: a list keyed by action and name); both print as Junos
prints them.
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

__all__ = ["POLICY_OPTIONS", "ROUTING_OPTIONS"]

_HOP = "next-hop"


def _valued(name: str, help_text: str, value_name: str = "metric-value",
            *extra: Statement) -> Statement:
    """Return ``preference 5;``: a presence container whose value is a nokeyword leaf."""
    return presence(name, help_text,
                    leaf(value_name, help_text, Number(), keyword=False,
                         placeholder=f"<{name}>"),
                    *extra, advanced=False, oneliner=True)


_ROUTE = lst(
    "route", "Static route", Ip(0, False),
    leaves("next-hop", "Next hop to destination", Either(Ip(), IfName(unit=True)),
           placeholder="<next-hop>", choice=_HOP),
    flag("reject", "Drop packets to destination; send ICMP unreachables", choice=_HOP),
    flag("discard", "Drop packets to destination; send no ICMP unreachables", choice=_HOP),
    flag("receive", "Install a receive route for the destination", choice=_HOP),
    leaf("next-table", "Next hop to another table", Text(), choice=_HOP),
    lst("qualified-next-hop", "Next hop with qualifiers", Either(Ip(), IfName(unit=True)),
        leaf("preference", "Preference of qualified next hop", Number()),
        leaf("metric", "Metric of qualified next hop", Number()),
        leaf("interface", "Interface of qualified next hop", IfName(unit=True)),
        placeholder="<nexthop>"),
    _valued("metric", "Metric value"),
    _valued("preference", "Preference value"),
    _valued("tag", "Tag string"),
    leaves("community", "BGP community identifier", Text()),
    flag("retain", "Always keep route in forwarding table", choice="retain"),
    flag("no-retain", "Don't always keep route in forwarding table", choice="retain"),
    flag("install", "Install route into forwarding table", choice="install"),
    flag("no-install", "Don't install route into forwarding table", choice="install"),
    flag("readvertise", "Mark route as eligible to be readvertised", choice="readvertise"),
    flag("no-readvertise", "Don't mark route as eligible to be readvertised",
         choice="readvertise"),
    flag("active", "Remove inactive route from forwarding table", choice="passive"),
    flag("passive", "Retain inactive route in forwarding table", choice="passive"),
    placeholder="<destination>", key_help="Destination prefix", oneliner=True,
)

ROUTING_OPTIONS = container(
    "routing-options", "Protocol-independent routing option configuration",
    leaf("router-id", "Router identifier", Ip(4)),
    container("autonomous-system", "Autonomous system number",
              leaf("as-number", "Autonomous system number", AsNumber(), keyword=False,
                   placeholder="<autonomous-system>"),
              leaf("loops", "Maximum number of times this AS can be in an AS path",
                   Number(1, 10)),
              flag("asdot-notation", "Use AS-Dot notation to display true 4 byte AS numbers"),
              advanced=False, oneliner=True),
    presence("graceful-restart", "Graceful or hitless routing restart options",
             flag("disable", "Disable graceful restart"),
             leaf("restart-duration", "Maximum time for which router is in graceful restart",
                  Number(120, 10000))),
    container("static", "Static routes",
              container("defaults", "Global route options",
                        flag("retain", "Always keep route in forwarding table"),
                        flag("no-readvertise",
                             "Don't mark route as eligible to be readvertised")),
              _ROUTE),
    presence("multipath", "Protocol-independent load balancing"),
    container("forwarding-table", "Forwarding table",
              leaves("export", "Export policy", Text()),
              flag("ecmp-fast-reroute", "Enable fast reroute for ECMP next hops")),
    flag("nonstop-routing", "Enable nonstop routing"),
)

_FILTER_MATCH = "match-type"

_FROM = container(
    "from", "Conditions to match the source of a route",
    leaf("family", "Address family", Choice(("inet", "inet-vpn", "inet6", "inet6-vpn", "evpn",
                                              "iso"))),
    leaves("protocol", "Protocol from which route was learned",
           Choice(("aggregate", "bgp", "direct", "isis", "local", "ospf", "ospf3", "rip",
                   "static", "ldp", "rsvp", "evpn"))),
    leaves("neighbor", "Neighboring router", Ip()),
    leaves("next-hop", "Next-hop router", Ip()),
    leaves("interface", "Interface name or address", Either(Ip(), IfName(unit=True))),
    leaf("area", "OSPF area identifier", AreaId()),
    leaves("as-path", "Name of AS path regular expression (BGP only)", Text()),
    leaves("community", "BGP community", Text()),
    leaf("level", "IS-IS level", Number(1, 2)),
    leaves("tag", "Tag string", Number()),
    leaves("policy", "Name of policy to evaluate", Text()),
    lst("route-filter", "List of routes to match", Ip(0, True),
        flag("exact", "Exactly match the prefix length", choice=_FILTER_MATCH),
        flag("longer", "Mask is greater than the prefix length", choice=_FILTER_MATCH),
        flag("orlonger", "Mask is greater than or equal to the prefix length",
             choice=_FILTER_MATCH),
        leaf("upto", "Mask falls between two prefix lengths", Text(), choice=_FILTER_MATCH),
        leaf("prefix-length-range", "Mask falls between two prefix lengths", Text(),
             choice=_FILTER_MATCH),
        leaf("through", "Route falls between two prefixes", Ip(0, True),
             choice=_FILTER_MATCH),
        key_tag="address", placeholder="<address>", oneliner=True, advanced=False),
    lst("prefix-list", "List of prefix-lists of routes to match", Text(),
        placeholder="<name>", advanced=False),
    lst("prefix-list-filter", "List of prefix-list-filters to match", Text(),
        flag("exact", "Exactly match the prefix length", choice=_FILTER_MATCH),
        flag("longer", "Mask is greater than the prefix length", choice=_FILTER_MATCH),
        flag("orlonger", "Mask is greater than or equal to the prefix length",
             choice=_FILTER_MATCH),
        key_tag="list_name", placeholder="<list_name>", oneliner=True, advanced=False),
    oneliner=True,
)

_ACCEPT = "accept-reject"

_THEN = container(
    "then", "Actions to take if 'from' and 'to' conditions match",
    presence("metric", "Metric value",
             leaf("metric", "Metric value", Number(), keyword=False, choice="metric-action"),
             leaf("add", "Add constant to attribute", Number(), choice="metric-action"),
             leaf("subtract", "Subtract constant from attribute", Number(),
                  choice="metric-action"),
             advanced=False, oneliner=True),
    presence("local-preference", "Local preference associated with a route",
             leaf("local-preference", "Local preference", Number(), keyword=False,
                  choice="metric-action"),
             leaf("add", "Add constant to attribute", Number(), choice="metric-action"),
             leaf("subtract", "Subtract constant from attribute", Number(),
                  choice="metric-action"),
             advanced=False, oneliner=True),
    presence("tag", "Tag string",
             leaf("tag", "Tag value", Number(), keyword=False), advanced=False, oneliner=True),
    presence("preference", "Preference value",
             leaf("preference", "Preference value", Number(), keyword=False),
             advanced=False, oneliner=True),
    leaf("origin", "BGP path origin", Choice(("igp", "egp", "incomplete"))),
    container("community", "BGP community properties associated with a route",
              leaves("add", "Add BGP communities to the route", Text()),
              leaves("delete", "Delete BGP communities from the route", Text()),
              leaves("set", "Set the BGP communities in the route", Text()),
              advanced=False, oneliner=True),
    leaf("as-path-prepend", "Prepend AS numbers to an AS path (BGP only)", Text()),
    container("next-hop", "Set the address of the next-hop router",
              flag("self", "Use a local address as the next-hop address", choice=_HOP),
              flag("peer-address", "Use the remote peer address as the next-hop address",
                   choice=_HOP),
              leaf("address", "Next-hop address", Ip(), keyword=False, choice=_HOP),
              flag("reject", "Use a reject next hop", choice=_HOP),
              flag("discard", "Use a discard next hop", choice=_HOP),
              advanced=False, oneliner=True),
    container("load-balance", "Type of load balancing in forwarding table",
              flag("per-packet", "Load balance on a per-packet basis", choice="balance"),
              flag("consistent-hash", "Give a prefix consistent load-balancing",
                   choice="balance"),
              advanced=False, oneliner=True),
    leaf("next", "Skip to next policy or term", Choice(("policy", "term"))),
    flag("accept", "Accept a route", choice=_ACCEPT),
    flag("reject", "Reject a route", choice=_ACCEPT),
    oneliner=True,
)

_TERM_BODY = (_FROM, container("to", "Conditions to match the destination of a route",
                               leaves("neighbor", "Neighboring router", Ip()),
                               leaves("protocol", "Protocol", Text()), oneliner=True),
              _THEN)

POLICY_OPTIONS = container(
    "policy-options", "Policy option configuration",
    lst("prefix-list", "Define a named set of address prefixes", Text(),
        lst("prefix-list-item", "Address prefix", Ip(0, True), keyword=False,
            advanced=False, placeholder="<prefix>"),
        leaf("apply-path", "Apply IP prefixes from a configuration statement", Text()),
        placeholder="<name>"),
    lst("policy-statement", "Routing policy", Text(),
        lst("term", "Policy term", Text(), *_TERM_BODY, placeholder="<term-name>"),
        *_TERM_BODY,
        placeholder="<policy-name>"),
    lst("community", "BGP community information", Text(),
        flag("invert-match", "Invert the result of the community expression matching"),
        leaves("members", "Community members", Text()),
        placeholder="<community-name>", advanced=False, oneliner=True),
    lst("as-path", "BGP autonomous system path regular expression", Text(),
        leaf("path", "AS path regular expression", Text(), keyword=False),
        placeholder="<name>", oneliner=True, advanced=False),
)
