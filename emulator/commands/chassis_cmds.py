"""Handlers that build views of the chassis model and render them (XML and text from one view):
``show chassis routing-engine | hardware | craft-interface``, ``show version``, ``show system
switchover``, ``show task replication``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from lxml import etree

from emulator.commands import render_chassis as rc
from emulator.commands import views as v
from emulator.commands.context import CommandContext, Result
from emulator.model.errors import CommandRefusedError, UnknownTargetError
from emulator.model.platforms import Era, software_packages
from emulator.model.router import RouterModel
from emulator.model.routing_engine import REState, RoutingEngine

__all__ = [
    "chassis_inventory",
    "craft_information",
    "route_engine_information",
    "route_engine_views",
    "software_information",
    "switchover_information",
    "task_replication",
]

Args = Mapping[str, str | bool]

_STATE = {
    REState.MASTER: v.MastershipState.MASTER,
    REState.GIVEUP: v.MastershipState.MASTER,
    REState.BACKUP: v.MastershipState.BACKUP,
    REState.CLAIM: v.MastershipState.BACKUP,
    REState.DISABLED: v.MastershipState.DISABLED,
}



def _priority(model: RouterModel, r: RoutingEngine) -> str:
    """``Election priority``: the configured role, "(default)" when not configured."""
    settings = model.settings(r.slot)
    role = settings.role_of(r.slot).value.capitalize()
    return role if r.slot in settings.roles else f"{role} (default)"


def _re_view(model: RouterModel, r: RoutingEngine) -> v.RouteEngineView:
    priority = _priority(model, r)
    if r.state is REState.ABSENT:
        return v.RouteEngineView.empty(r.slot)
    if not r.alive:
        return v.RouteEngineView.present(r.slot, priority.lower(), r.hardware.model)
    master = _STATE[r.state] is v.MastershipState.MASTER
    cpu = v.CpuUtilization(user=1 if master else 0, background=0, system=2 if master else 1,
                           interrupt=0, idle=97 if master else 99)
    view = v.RouteEngineView(
        slot=r.slot,
        mastership_state=_STATE[r.state],
        mastership_priority=priority.lower(),
        status="OK",  # XML only: the text layouts print no status line
        temperature_c=r.hardware.temperature_c + (1 if master else 0),
        memory_dram_size_mb=r.hardware.dram_mb,
        memory_buffer_utilization=12 if master else 10,
        cpu=cpu,
        model=r.hardware.model,
        serial_number=r.hardware.serial,
        start_time=r.start_time,
        up_time=int(model.chassis.uptime(r.slot)),
        load_averages=(0.07, 0.02, 0.0),
    )
    if model.platform.era is Era.M_SERIES:
        # The chapter's M-series samples: no CPU temperature, installed memory, per-interval
        # CPU or last reboot reason.
        return view
    return _mx_fields(model, r, view, master)


def _mx_fields(model: RouterModel, r: RoutingEngine, view: v.RouteEngineView, master: bool
               ) -> v.RouteEngineView:
    """Add what the MX480 dual-RE sample shows: CPU temperature, usable and installed memory,
    last reboot reason, and on the master the 1/5/15-minute CPU blocks (the sample's backup has
    none)."""
    interval = v.CpuUtilization(user=0, background=0, system=1, interrupt=0, idle=98)
    return replace(
        view, cpu_temperature_c=r.hardware.cpu_temperature_c,
        memory_dram_size_mb=model.platform.dram_usable_mb or r.hardware.dram_mb,
        memory_installed_size_mb=r.hardware.dram_mb,
        cpu_1min=interval if master else None, cpu_5min=interval if master else None,
        cpu_15min=replace(interval, idle=99) if master else None,
        last_reboot_reason=r.last_reboot_reason)


def route_engine_views(model: RouterModel, slot: str | None = None) -> v.RouteEngineInformationView:
    """Return the view of every RE (or of ``slot``).  Raises UnknownTargetError."""
    res = model.chassis.res
    if slot is not None:
        if not slot.isdigit() or int(slot) not in res:
            raise UnknownTargetError(f"invalid routing engine slot {slot}")
        chosen = [res[int(slot)]]
    else:
        chosen = [res[s] for s in sorted(res)]
    return v.RouteEngineInformationView(tuple(_re_view(model, r) for r in chosen))


def route_engine_information(ctx: CommandContext, args: Args) -> Result:
    """``show chassis routing-engine [slot N]`` (get-route-engine-information)."""
    slot = args.get("slot")
    view = route_engine_views(ctx.router, str(slot) if isinstance(slot, str) else None)
    return Result([rc.route_engine_information_xml(view, junos_version=ctx.version)],
                  rc.route_engine_information_text(view))


def _require_master(ctx: CommandContext) -> bool:
    return ctx.router.chassis.re(ctx.slot).state is REState.MASTER


def not_master_answer(ctx: CommandContext) -> Result | None:
    """Return the answer of a chassis command on an RE that is not master, None on the master:
    the ``<output>`` "Aborted! This command can only be used on the master routing engine."
    (chapter: a backup "does not ... communicate with Packet Forwarding Engine or chassis
    components"; sample get-chassis-inventory.backup-re-not-master.pyez.xml)."""
    if _require_master(ctx):
        return None
    return Result([rc.not_master_output_xml()], rc.not_master_text())


def chassis_inventory(ctx: CommandContext, args: Args) -> Result:
    """``show chassis hardware``: only on the master (:func:`not_master_answer`)."""
    refused = not_master_answer(ctx)
    if refused is not None:
        return refused
    model = ctx.router
    boards = {s: v.REBoard(r.hardware.model, r.hardware.serial)
              for s, r in model.chassis.res.items() if r.state is not REState.ABSENT}
    view = v.inventory_view(model.platform, boards, chassis_serial=model.chassis_serial,
                            serial_of=model.module_serial)
    return Result([rc.chassis_inventory_xml(view, junos_version=ctx.version)],
                  rc.chassis_inventory_text(view))


def craft_information(ctx: CommandContext, args: Args) -> Result:
    """``show chassis craft-interface``: the MASTER LED is lit on the master RE (chapter,
    "Determine Routing Engine Mastership By Checking the LEDs")."""
    model = ctx.router
    leds = tuple(
        v.RouteEngineLeds(slot=s, master=_STATE.get(r.state) is v.MastershipState.MASTER,
                          online=r.alive,
                          offline=not r.alive)
        for s, r in sorted(model.chassis.res.items()))
    fpcs = tuple(v.FpcLeds(slot=s, green=online, red=False)
                 for s, online, _ in model.chassis.fpc_states())
    view = v.CraftView(display_lines=(model.hostname(ctx.slot), "Up"), routing_engines=leds,
                       fpcs=fpcs)
    return Result([rc.craft_information_xml(view, junos_version=ctx.version)],
                  rc.craft_information_text(view))


def _software_view(model: RouterModel, r: RoutingEngine) -> v.SoftwareView:
    version = r.hardware.version
    return v.SoftwareView(
        re_name=r.name, host_name=model.hostname(r.slot),
        product_model=model.platform.product_model, product_name=model.platform.product_model,
        junos_version=version,
        packages=tuple(v.PackageView(n, c) for n, c in software_packages(version)))


def software_information(ctx: CommandContext, args: Args) -> Result:
    """``show version [invoke-on all-routing-engines | other-routing-engine]``.

    The multi-RE form is ``multi-routing-engine-results``; an unreachable other RE is reported
    as "Could not connect to reN : No route to host" (sample ...other-re-off-error...).
    """
    model = ctx.router
    invoke = str(args.get("invoke-on", ""))
    if args.get("all-routing-engines") or args.get("routing-engine") == "both":
        invoke = "all-routing-engines"
    local = model.chassis.re(ctx.slot)
    if not invoke:
        view = _software_view(model, local)
        return Result([rc.software_information_xml(view, junos_version=ctx.version)],
                      rc.software_information_text(view))
    chosen = [local] if invoke == "all-routing-engines" else []
    peer = model.chassis.other(ctx.slot)
    warnings: list[str] = []
    if peer is not None:
        if model.chassis.reachable(ctx.slot, peer.slot):
            chosen.append(peer)
        else:
            warnings.append(f"Could not connect to {peer.name} : No route to host")
    chosen.sort(key=lambda r: r.slot)
    views = [_software_view(model, r) for r in chosen]
    return Result([rc.multi_re_software_xml(views, junos_version=ctx.version)],
                  rc.multi_re_software_text(views), errors=warnings)


def switchover_information(ctx: CommandContext, args: Args) -> Result:
    """``show system switchover``: on the backup RE only (D5: not supported on the master)."""
    model = ctx.router
    r = model.chassis.re(ctx.slot)
    if r.state is REState.MASTER:
        raise CommandRefusedError(
            "show system switchover is only supported on the backup Routing Engine")
    gres = model.chassis.gres()
    peer = model.chassis.other(ctx.slot)
    linked = peer is not None and model.chassis.reachable(ctx.slot, peer.slot)
    synced = linked and _configs_in_sync(model)
    # The kernel database replicates once the master is ready and for the platform's sync time
    # after a switchover or a boot (timing profile); never between different Junos releases or
    # RE models (chapter, "Operate the Same Type of Routing Engine and JUNOS Software").
    kernel = linked and model.chassis.backup_synced() and _same_software(model)
    if not gres:
        view = v.SwitchoverView(graceful_switchover=False)
    else:
        ready = kernel and synced and model.chassis.hold_down_remaining() == 0
        view = v.SwitchoverView(
            graceful_switchover=True,
            configuration_db=v.DatabaseState.READY if synced else v.DatabaseState.SYNCHRONIZING,
            kernel_db=v.DatabaseState.READY if kernel else v.DatabaseState.SYNCHRONIZING,
            # Older releases' "Peer state: Steady State" (NOTES.md 3.8); "Not Ready" is our
            # word when the master cannot be reached over the internal link (choice).
            peer_state="Steady State" if linked else "Not Ready",
            switchover_status=v.SwitchoverStatus.READY if ready else v.SwitchoverStatus.NOT_READY,
        )
    return Result(rc.switchover_reply_xml(view, junos_version=ctx.version),
                  rc.switchover_information_text(view))


def _same_software(model: RouterModel) -> bool:
    """Return True when both REs run the same Junos release on the same RE model."""
    boards = {(r.hardware.version, r.hardware.model.casefold())
              for r in model.chassis.res.values()}
    return len(boards) == 1


def _configs_in_sync(model: RouterModel) -> bool:
    texts = {db.committed_text() for db in model.configs.values()}
    return len(texts) == 1


def task_replication(ctx: CommandContext, args: Args) -> Result:
    """``show task replication`` (get-routing-task-replication-state) on the master."""
    model = ctx.router
    gres = model.chassis.gres()
    mode = "Master" if _require_master(ctx) else "Backup"
    root = etree.Element("task-replication-state")
    etree.SubElement(root, "task-gres-state").text = "Enabled" if gres else "Disabled"
    etree.SubElement(root, "task-re-mode").text = mode
    text = (f"        Stateful Replication: {'Enabled' if gres else 'Disabled'}\n"
            f"        RE mode: {mode}")
    return Result([root], text)
