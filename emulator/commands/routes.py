"""``show route`` (``get-route-information``): the routing table the routing daemon builds.

The chapter ("Manually Configuring Master and Backup Routing Engines"): the master "builds and
maintains routing tables", the backup "does not maintain routing tables", and after a
switchover "the new master Routing Engine reestablishes routing adjacencies, populates the
routing table".  So rpd runs on the master; on the backup it runs only with nonstop active
routing (``routing-options nonstop-routing`` with graceful switchover, Juniper's NSR concepts:
"running the routing protocol process (rpd) on the backup Routing Engine").  Where it does not
run, Junos answers "the routing subsystem is not running" (as for ``show bgp summary`` on an RE
without rpd, and as the l2-learning message of an MX backup, ``pyez.py``).

The emulated router has no neighbours and no data-plane ports, so its table is what its own
effective configuration gives (groups re0/re1 applied): Direct and Local routes of the
addresses of ``fxp0.0`` and ``lo0.0``, and the static routes, active when their next hop is on a
direct subnet (or discard/reject/receive), hidden otherwise.  Their age counts from the moment
rpd started building the table: the RE becoming master (each new master populates it anew).

Reply shape and text: a Junos ``show route | display xml`` capture (``route-information``,
``route-table``, ``rt junos:style="brief"``, ``rt-entry`` with ``nh``/``nh-local-interface``)
and the classic brief layout of ``show route``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from emulator.commands.context import CommandContext, Result
from emulator.commands.render_chassis import namespace_version
from emulator.commands.xmlutil import junos_ns, sub
from emulator.model import config as cfg
from emulator.model.config_tree import ConfigNode
from emulator.model.errors import CommandRefusedError
from emulator.model.routing_engine import REState

__all__ = ["RPD_NOT_RUNNING", "Route", "format_age", "route_information", "routes_of"]

Args = Mapping[str, str | bool]

#: What Junos answers for a routing command where rpd does not run.
RPD_NOT_RUNNING = "the routing subsystem is not running"
#: The ports the emulated RE has (``pyez.py``: the emulator knows no other ports).
_PORTS = ("fxp0", "lo0")
_STATIC_PREFERENCE = "5"
_KINDS = {"discard": "Discard", "reject": "Reject", "receive": "Receive"}


@dataclass(frozen=True, slots=True)
class Route:
    """One route of ``inet.0``: destination, protocol and preference, and its next hop:
    ``via`` an interface (``to`` a gateway on it), or a next-hop type (``Local``,
    ``Discard``...)."""

    destination: str
    protocol: str
    preference: str
    via: str = ""
    to: str = ""
    nh_type: str = ""


def format_age(seconds: int) -> str:
    """Return a route's age as Junos prints it: ``00:02:08``, ``6d 03:56:08``, ``2w1d 00:04:00``."""
    weeks, rest = divmod(max(seconds, 0), 7 * 86400)
    days, rest = divmod(rest, 86400)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    if weeks:
        return f"{weeks}w{days}d {clock}"
    return f"{days}d {clock}" if days else clock


#: A direct subnet and the unit it is on.
_Subnet = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]


def _interface_routes(root: ConfigNode) -> tuple[list[Route], list[_Subnet]]:
    """Return the Direct and Local routes of the ports' IPv4 addresses, and the subnets."""
    routes: list[Route] = []
    subnets: list[_Subnet] = []
    for port in _PORTS:
        for address in cfg.interface_addresses(root, port, "0"):
            iface = ipaddress.ip_interface(address)
            if iface.version != 4:
                continue
            unit = f"{port}.0"
            routes.append(Route(str(iface.network), "Direct", "0", via=unit))
            if iface.network.prefixlen < 32:
                subnets.append((iface.network, unit))
                routes.append(Route(f"{iface.ip}/32", "Local", "0", via=unit, nh_type="Local"))
    return routes, subnets


def _static_route(entry: ConfigNode, subnets: list[_Subnet]) -> Route | None:
    """Return the route a ``static route`` entry installs, or None while it has no usable next
    hop (a gateway on no direct subnet: Junos keeps it hidden)."""
    pref_node = entry.get("preference")
    preference = next((c.value for c in pref_node.children if c.value), None) \
        if pref_node is not None else None
    preference = preference or _STATIC_PREFERENCE
    for flag, kind in _KINDS.items():
        if entry.child(flag) is not None:
            return Route(str(entry.key), "Static", preference, nh_type=kind)
    hops = entry.child("next-hop")
    for hop in (hops.values or [hops.value or ""]) if hops is not None else []:
        try:
            gateway = ipaddress.ip_address(hop)
        except ValueError:
            return Route(str(entry.key), "Static", preference, via=hop)  # an interface
        unit = next((u for net, u in subnets if gateway in net), None)
        if unit is not None:
            return Route(str(entry.key), "Static", preference, to=hop, via=unit)
    return None


def _order(route: Route) -> tuple[int, int, int]:
    net = ipaddress.ip_network(route.destination, strict=False)
    return (net.version, int(net.network_address), net.prefixlen)


def routes_of(root: ConfigNode) -> tuple[list[Route], int]:
    """Return the active routes of an effective configuration (sorted by destination) and the
    number of hidden ones."""
    routes, subnets = _interface_routes(root)
    hidden = 0
    static = root.get("routing-options", "static")
    for entry in static.entries("route") if static is not None else []:
        route = _static_route(entry, subnets)
        if route is None:
            hidden += 1
        else:
            routes.append(route)
    routes.sort(key=_order)
    return routes, hidden


def _rpd_since(ctx: CommandContext) -> float:
    """Return when rpd started building the table on the context's RE.

    Raises CommandRefusedError where rpd does not run (a backup without nonstop routing)."""
    model = ctx.router
    r = model.chassis.re(ctx.slot)
    if r.state is REState.MASTER:
        return model.chassis.master_since.get(ctx.slot, r.up_since)
    effective = model.configs[ctx.slot].effective(ctx.slot)
    nsr = effective.get("routing-options", "nonstop-routing") is not None
    if r.state is REState.BACKUP and nsr and model.chassis.gres():
        return r.up_since
    raise CommandRefusedError(RPD_NOT_RUNNING)


def route_information(ctx: CommandContext, args: Args) -> Result:
    """``show route`` on the RE of ``ctx``: ``inet.0`` from its effective configuration.

    Raises CommandRefusedError where the routing daemon does not run.
    """
    since = _rpd_since(ctx)
    routes, hidden = routes_of(ctx.router.configs[ctx.slot].effective(ctx.slot))
    age = int(ctx.router.clock.now() - since)
    version = ctx.version
    return Result([_xml(routes, hidden, age, version)], _text(routes, hidden, age))


def _counts(routes: list[Route], hidden: int) -> str:
    n = len(routes)
    return (f"inet.0: {n + hidden} destinations, {n + hidden} routes ({n} active, "
            f"0 holddown, {hidden} hidden)")


def _xml(routes: list[Route], hidden: int, age: int, version: str) -> etree._Element:
    ns = f"http://xml.juniper.net/junos/{namespace_version(version)}/junos-routing"
    root = etree.Element(f"{{{ns}}}route-information",
                         nsmap={None: ns, "junos": junos_ns(version)})
    table = sub(root, "route-table")
    sub(table, "table-name", "inet.0")
    counts = (("destination-count", len(routes) + hidden),
              ("total-route-count", len(routes) + hidden),
              ("active-route-count", len(routes)), ("holddown-route-count", 0),
              ("hidden-route-count", hidden))
    for tag, count in counts:
        sub(table, tag, count)
    style = f"{{{junos_ns(version)}}}style"
    for route in routes:
        rt = sub(table, "rt", **{style: "brief"})
        sub(rt, "rt-destination", route.destination)
        entry = sub(rt, "rt-entry")
        fields: tuple[tuple[str, str | None], ...] = (
            ("active-tag", "*"), ("current-active", None), ("last-active", None),
            ("protocol-name", route.protocol), ("preference", route.preference))
        for tag, value in fields:
            sub(entry, tag, value)
        sub(entry, "age", format_age(age), **{f"{{{junos_ns(version)}}}seconds": str(age)})
        if route.nh_type:
            sub(entry, "nh-type", route.nh_type)
        if route.nh_type == "Local":
            sub(sub(entry, "nh"), "nh-local-interface", route.via)
        elif route.via:
            nh = sub(entry, "nh")
            sub(nh, "selected-next-hop")
            if route.to:
                sub(nh, "to", route.to)
            sub(nh, "via", route.via)
    return root


def _text(routes: list[Route], hidden: int, age: int) -> str:
    lines = ["", _counts(routes, hidden), "+ = Active Route, - = Last Active, * = Both", ""]
    for route in routes:
        lines.append(f"{route.destination:<19}*[{route.protocol}/{route.preference}] "
                     f"{format_age(age)}")
        if route.nh_type == "Local":
            lines.append(f"{'':22}Local via {route.via}")
        elif route.nh_type:
            lines.append(f"{'':22}{route.nh_type}")
        else:
            to = f"to {route.to} " if route.to else ""
            lines.append(f"{'':20}> {to}via {route.via}")
    return "\n".join(lines)
