"""Handlers for the RPCs PyEZ sends to gather its facts (NOTES.md section 3.12).

``jnpr.junos.Device.facts`` reads, besides ``show chassis routing-engine`` and ``show version
invoke-on all-routing-engines``:

* ``show interfaces terse routing-instance __juniper_private1__``: the local RE's internal
  interface addresses; mapped through ``/etc/hosts.junos`` they tell PyEZ which RE it is on
  (``current_re``).  The addresses follow the hosts file: 128.0.0.(4+slot) names the slot,
  128.0.0.1 the master and 128.0.0.6 the backup (sample
  ``get-interface-information.juniper-private1-terse.dual-re0-master.pyez.xml``).
* ``show chassis cluster status``: an ``<xnm:error>`` on a router that is not an SRX cluster
  (sample ``get-chassis-cluster-status.not-cluster-xnm-error.pyez.xml``).
* ``show virtual-chassis``: refused on an M/T/MX router without Virtual Chassis.
* ``show ethernet-switching table`` / ``show bridge mac-table``: the switching style; the backup
  RE answers "the l2-learning subsystem is not running" (as an MX backup does).
* ``request shell execute`` (hidden): ``sysctl -n hw.re.vmhost_mode`` answers ``0`` (sample
  ``request-shell-execute.sysctl-vmhost-mode-0.pyez.xml``); ``cli <command>`` runs an
  operational command, on the other RE with ``routing-engine backup`` (PyEZ ``SW`` does this
  for ``show system switchover``).
"""

from __future__ import annotations

import ipaddress
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from emulator.commands.context import CommandContext, Result
from emulator.commands.render_chassis import namespace_version
from emulator.commands.xmlutil import XNM_NS, junos_ns, output_element, sub
from emulator.model import config as cfg
from emulator.model.errors import CommandRefusedError, UnknownTargetError, UnreachableError
from emulator.model.router import RouterModel
from emulator.model.routing_engine import REState, RoutingEngine

__all__ = [
    "L2_NOT_RUNNING",
    "PRIVATE_INSTANCE",
    "RE_TARGETS",
    "TERSE_HEADER",
    "AddressFamily",
    "LogicalInterface",
    "PhysicalInterface",
    "CliRunner",
    "bridge_mac_table",
    "chassis_cluster_status",
    "ethernet_switching_table",
    "interface_information",
    "interface_views",
    "interfaces_terse_text",
    "shell_execute",
    "virtual_chassis_information",
]

Args = Mapping[str, str | bool]

#: The internal routing instance that holds the inter-RE interfaces (NOTES.md 3.12).
PRIVATE_INSTANCE = "__juniper_private1__"
#: What ``routing-engine`` in ``request-shell-execute`` may name.
RE_TARGETS = ("local", "other", "master", "backup", "re0", "re1")
#: Message of an MX backup RE for bridging commands (PyEZ facts/ethernet_mac_table.py).
L2_NOT_RUNNING = "the l2-learning subsystem is not running"


@dataclass(frozen=True, slots=True)
class AddressFamily:
    """One protocol family of a logical interface and its local addresses."""

    name: str
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LogicalInterface:
    """A unit (``em0.0``) with its families; the emulated interfaces are always up/up."""

    name: str
    families: tuple[AddressFamily, ...]


@dataclass(frozen=True, slots=True)
class PhysicalInterface:
    """A device (``em0``) and its units."""

    name: str
    units: tuple[LogicalInterface, ...]
    #: ``Link`` / ``<oper-status>``: an internal keepalive interface is down while the link
    #: between the REs is severed (chapter, "Redundancy Connections").
    link: str = "up"



# ---------------------------------------------------------------- interfaces
def _role_alias(r: RoutingEngine, dual: bool) -> str | None:
    """Return the 128.0.0.x alias of the RE's role: .1 master, .6 backup (hosts.junos)."""
    if r.state in (REState.MASTER, REState.GIVEUP) or not dual:
        return "128.0.0.1"
    if r.state in (REState.BACKUP, REState.CLAIM):
        return "128.0.0.6"
    return None  # disabled: takes no part in mastership (chapter)


def _internal_unit(name: str, r: RoutingEngine, index: int, alias: str | None
                   ) -> LogicalInterface:
    """Return unit 0 of an internal interface, addressed as in the dual-re0-master sample."""
    host = 4 + r.slot
    inet = [f"10.0.0.{host}/8", f"128.0.0.{host}/2"] + ([f"{alias}/2"] if alias else [])
    inet.sort(key=lambda a: ipaddress.ip_interface(a).ip)
    mac = f"{index:x}ff" if index else "ff"
    inet6 = (f"fe80::200:{mac}:fe00:{host:x}/64", f"fec0::a:0:0:{host:x}/64")
    return LogicalInterface(f"{name}.0", (AddressFamily("inet", tuple(inet)),
                                          AddressFamily("inet6", inet6),
                                          AddressFamily("tnp", (f"0x{host:x}",))))


def _internal(model: RouterModel, r: RoutingEngine) -> list[PhysicalInterface]:
    # A single-RE M-series still has its fxp1 internal Ethernet (platforms.py).
    names = model.platform.keepalive_for(r.hardware.model) or ("fxp1",)
    alias = _role_alias(r, model.chassis.dual)
    link = "up" if model.chassis.link_up or not model.chassis.dual else "down"
    return [PhysicalInterface(n, (_internal_unit(n, r, i, alias),), link)
            for i, n in enumerate(names)]


def _default_instance(model: RouterModel, slot: int) -> list[PhysicalInterface]:
    """The default instance: the management port and the loopback (the emulator knows no
    other ports).  fxp0 carries the addresses of the RE's own effective configuration: the
    chapter's groups re0/re1 give each RE its own."""
    fxp0 = AddressFamily("inet", cfg.interface_addresses(model.configs[slot].effective(slot),
                                                         "fxp0", "0"))
    return [PhysicalInterface("fxp0", (LogicalInterface("fxp0.0", (fxp0,)),)),
            PhysicalInterface("lo0", (LogicalInterface(
                "lo0.16384", (AddressFamily("inet", ("127.0.0.1",)),)),))]


def interface_views(model: RouterModel, slot: int, instance: str | None = None,
                    name: str | None = None) -> list[PhysicalInterface]:
    """Return the interfaces of RE ``slot`` in routing ``instance`` (default: the default one),
    optionally only those whose name starts with ``name``.

    Raises UnknownTargetError for a routing instance the router does not have.
    """
    if instance == PRIVATE_INSTANCE:
        found = _internal(model, model.chassis.re(slot))
    elif instance in (None, "default"):
        found = _default_instance(model, slot)
    else:
        raise UnknownTargetError(f"routing-instance {instance} not found")
    if name:
        found = [p for p in found if p.name == name or name.startswith(p.name + ".")]
    return found


def _interface_xml(views: list[PhysicalInterface], version: str) -> etree._Element:
    """Render the terse view in the shape of the juniper-private1-terse samples."""
    ns = f"http://xml.juniper.net/junos/{namespace_version(version)}/junos-interface"
    jns = junos_ns(version)
    root = etree.Element(f"{{{ns}}}interface-information", nsmap={None: ns, "junos": jns})
    root.set(f"{{{jns}}}style", "terse")
    for phys in views:
        p = sub(root, "physical-interface")
        for tag, text in (("name", phys.name), ("admin-status", "up"),
                          ("oper-status", phys.link)):
            sub(p, tag, text)
        for unit in phys.units:
            _unit_xml(sub(p, "logical-interface"), unit, jns)
    return root


def _unit_xml(el: etree._Element, unit: LogicalInterface, jns: str) -> None:
    for tag, text in (("name", unit.name), ("admin-status", "up"), ("oper-status", "up")):
        sub(el, tag, text)
    sub(el, "filter-information")
    for fam in unit.families:
        f = sub(el, "address-family")
        sub(f, "address-family-name", fam.name)
        for addr in fam.addresses:
            sub(sub(f, "interface-address"), "ifa-local", addr, **{f"{{{jns}}}emit": "emit"})


#: Columns of ``show interfaces terse`` (Interface, Admin, Link, Proto, Local).
_COLS = (24, 6, 5, 9)
TERSE_HEADER = "Interface               Admin Link Proto    Local                 Remote"


def interfaces_terse_text(views: list[PhysicalInterface]) -> str:
    """Return the CLI text of ``show interfaces terse`` for ``views``."""
    lines = [TERSE_HEADER]
    for phys in views:
        lines.append(_row(phys.name, "up", phys.link))
        for unit in phys.units:
            lines.extend(_unit_lines(unit))
    return "\n".join(lines)


def _row(*cells: str) -> str:
    out = "".join(c.ljust(w) for c, w in zip(cells, _COLS, strict=False))
    return (out + "".join(cells[len(_COLS):])).rstrip()


def _unit_lines(unit: LogicalInterface) -> Iterator[str]:
    first = True
    for fam in unit.families:
        for i, addr in enumerate(fam.addresses or ("",)):
            head = (unit.name, "up", "up") if first else ("", "", "")
            yield _row(*head, fam.name if i == 0 else "", addr)
            first = False
    if first:
        yield _row(unit.name, "up", "up")


def interface_information(ctx: CommandContext, args: Args) -> Result:
    """``show interfaces [name] terse [routing-instance X]`` (get-interface-information).

    Only the terse form is modelled.  Raises UnknownTargetError for an unknown instance.
    """
    instance = args.get("routing-instance")
    name = args.get("interface-name")
    views = interface_views(ctx.router, ctx.slot, instance if isinstance(instance, str) else None,
                            name if isinstance(name, str) else None)
    return Result([_interface_xml(views, ctx.version)], interfaces_terse_text(views))


# ---------------------------------------------------------- cluster, VC, L2
def chassis_cluster_status(ctx: CommandContext, args: Args) -> Result:
    """``show chassis cluster status``: ``<xnm:error>`` from jsrpd, as the sample shows.

    PyEZ reads the ``error`` tag as "not an SRX cluster" (facts/get_chassis_cluster_status.py).
    """
    message = "error: Chassis cluster is not enabled"
    el = etree.Element(f"{{{XNM_NS}}}error", nsmap={None: XNM_NS, "xnm": XNM_NS})
    etree.SubElement(el, f"{{{XNM_NS}}}parse")
    etree.SubElement(el, f"{{{XNM_NS}}}source-daemon").text = "jsrpd"
    etree.SubElement(el, f"{{{XNM_NS}}}message").text = message
    return Result([el], message)


def _not_valid(ctx: CommandContext) -> CommandRefusedError:
    """The error Junos gives for a command the platform does not have."""
    return CommandRefusedError(f"command is not valid on the {ctx.router.platform.product_model}")


def virtual_chassis_information(ctx: CommandContext, args: Args) -> Result:
    """``show virtual-chassis``: an M/T/MX router without Virtual Chassis refuses it.

    Raises CommandRefusedError (PyEZ then sets ``vc_capable`` False).
    """
    raise _not_valid(ctx)


def _is_backup(ctx: CommandContext) -> bool:
    return ctx.router.chassis.re(ctx.slot).state is not REState.MASTER


def ethernet_switching_table(ctx: CommandContext, args: Args) -> Result:
    """``show ethernet-switching table``: an MX bridges with bridge domains, not VLANs.

    Raises CommandRefusedError: on the backup RE "the l2-learning subsystem is not running",
    on the master "command is not valid".
    """
    if _is_backup(ctx):
        raise CommandRefusedError(L2_NOT_RUNNING)
    raise _not_valid(ctx)


def bridge_mac_table(ctx: CommandContext, args: Args) -> Result:
    """``show bridge mac-table [count]`` on the master: no bridge domain, no MAC learned.

    Raises CommandRefusedError on the backup RE (l2ald runs on the master only).
    """
    if _is_backup(ctx):
        raise CommandRefusedError(L2_NOT_RUNNING)
    tag = "l2ald-rtb-mac-count" if args.get("count") else "l2ald-rtb-macdb"
    return Result([etree.Element(tag)], "")


# ---------------------------------------------------------------- shell
def _target_slot(ctx: CommandContext, target: str) -> int:
    """Return the slot ``routing-engine`` names.  Raises UnknownTargetError, UnreachableError."""
    chassis = ctx.router.chassis
    peer = chassis.other(ctx.slot)
    wanted = {"local": ctx.slot, "other": peer.slot if peer else None}
    wanted["master"] = chassis.master_slot()
    backup = [s for s, r in chassis.res.items() if r.state is REState.BACKUP]
    wanted["backup"] = backup[0] if backup else None
    wanted.update({f"re{s}": s for s in chassis.res})
    slot = wanted.get(target)
    if slot is None:
        raise UnknownTargetError(f"invalid routing-engine: {target}")
    if slot != ctx.slot and not chassis.reachable(ctx.slot, slot):
        raise UnreachableError(f"Could not connect to re{slot} : No route to host")
    return slot


def _sysctl(ctx: CommandContext, argv: list[str]) -> Result:
    values = {"hw.re.vmhost_mode": "0", "hw.re.slot": str(ctx.slot)}
    name = argv[-1] if argv else ""
    value = values.get(name)
    text = value if value is not None else f"sysctl: unknown oid '{name}'"
    return Result([output_element(text)], text)


#: Runs an operational command line through the command table (the rows inject it).
CliRunner = Callable[[CommandContext, str], Result]

def shell_execute(run_cli: CliRunner) -> Callable[[CommandContext, Args], Result]:
    """Return the handler of ``request shell execute command <cmd> [routing-engine ...]``
    (hidden in Junos); ``cli [-c] <command>`` in the shell runs through ``run_cli``.

    The handler returns the command's ``<output>``, or the XML of an operational command run
    with ``cli``; it raises UnknownTargetError / UnreachableError for a bad or unreachable
    target RE.
    """
    def cli(ctx: CommandContext, argv: list[str]) -> Result:
        words = argv[1:] if argv[:1] == ["-c"] else argv
        return run_cli(ctx, " ".join(words))

    shell: dict[str, Callable[[CommandContext, list[str]], Result]] = {
        "sysctl": _sysctl, "cli": cli}

    def handler(ctx: CommandContext, args: Args) -> Result:
        target = args.get("routing-engine")
        here = ctx.on(_target_slot(ctx, target) if isinstance(target, str) else ctx.slot)
        try:
            argv = shlex.split(str(args.get("command", "")))
        except ValueError as exc:
            raise UnknownTargetError(f"sh: {exc}") from exc
        if not argv:
            return Result([output_element("")], "")
        run = shell.get(argv[0])
        if run is None:
            text = f"sh: {argv[0]}: not found"
            return Result([output_element(text)], text)
        return run(here, argv[1:])

    return handler
