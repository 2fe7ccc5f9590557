"""``show chassis fpc pic-status`` (get-pic-information), ``show chassis alarms``
(get-alarm-information) and ``show system alarms`` (get-system-alarm-information), computed from
the router model.

- **PICs**: each FPC the chassis holds, with its state (``show chassis fpc``'s), the description
  of its inventory row and, while it is Online, the PICs the platform's inventory lists under it
  (``PIC n`` rows, also under a MIC), each Online with it.  An Offline FPC lists no PIC, as Junos
  shows one (``junos:style="pic-style"``, public PyEZ/Toby fixtures).
- **Alarms**: the chassis alarms the master's chassisd raises from the redundancy state, with the
  texts real Junos uses (a public ``show chassis alarms`` capture of an MX whose RE0 went down):
  ``Loss of communication with Backup RE`` (Minor) from the moment the master stops hearing the
  other RE's keepalives (that RE halted, pulled, crashed, booting, or the internal link cut),
  and ``Backup RE Active`` (Minor) while the master is an RE the configuration names backup
  (RE1 by default), from the moment it became master.  ``show system alarms`` lists the chassis
  alarms too (as Junos does); the emulator raises no system-only alarm (no rescue
  configuration, license or temperature alarm: none is modelled).  Only the master talks to
  the chassis (chapter: the backup does not communicate with the chassis components): on
  another RE ``show chassis alarms`` answers Junos's "Aborted! This command can only be used
  on the master routing engine." (as ``show chassis hardware`` and ``environment`` do here),
  and ``show system alarms`` lists that RE's own system alarms: none.

docs/emulator-model.md, "Alarms and PIC status", records these decisions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from emulator.commands import render_chassis as rc
from emulator.commands.context import CommandContext, Request, Result
from emulator.commands.render_chassis import chassis_ns, namespace_version
from emulator.commands.xmlutil import junos_ns, sub
from emulator.model.platform_spec import ModuleSpec
from emulator.model.router import RouterModel
from emulator.model.routing_engine import REState, Role

__all__ = ["BACKUP_RE_ACTIVE", "LOSS_OF_BACKUP", "Alarm", "alarm_information",
           "chassis_alarms", "pic_information", "system_alarm_information"]

#: The chassis alarm Junos raises while an RE configured backup holds mastership.
BACKUP_RE_ACTIVE = "Backup RE Active"
#: The chassis alarm Junos raises while the master hears no keepalives from the other RE.
LOSS_OF_BACKUP = "Loss of communication with Backup RE"
_ALARM_NS = "http://xml.juniper.net/junos/{version}/junos-alarm"
#: ``show chassis alarms``: "Alarm time" is 25 columns wide, "Class" 7.
_ALARM_HEADER = "Alarm time               Class  Description"


@dataclass(frozen=True, slots=True)
class Alarm:
    """An active alarm: raised at virtual time ``since``, its class, text and type."""

    since: float
    alarm_class: str
    description: str
    alarm_type: str = "Chassis"


def chassis_alarms(model: RouterModel) -> list[Alarm]:
    """Return the chassis alarms active now, newest first (as Junos lists them); none without
    a master or a second RE."""
    chassis = model.chassis
    master = chassis.master_slot()
    if master is None or not chassis.dual:
        return []
    found = []
    lost = chassis.keepalive_loss_since(master)
    if lost is not None:
        found.append(Alarm(lost, "Minor", LOSS_OF_BACKUP))
    if chassis.settings(master).role_of(master) is Role.BACKUP:
        since = chassis.master_since.get(master, chassis.re(master).up_since)
        found.append(Alarm(since, "Minor", BACKUP_RE_ACTIVE))
    return sorted(found, key=lambda a: -a.since)


def _stamp(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at))


def _alarm_xml(alarms: list[Alarm], version: str) -> etree._Element:
    """``<alarm-information>`` in the shape of public Junos replies (``<no-active-alarms/>``
    in the summary when there is none)."""
    ns = _ALARM_NS.format(version=namespace_version(version))
    jns = junos_ns(version)
    root = etree.Element(f"{{{ns}}}alarm-information", nsmap={None: ns, "junos": jns})
    summary = sub(root, "alarm-summary")
    if not alarms:
        sub(summary, "no-active-alarms")
    else:
        sub(summary, "active-alarm-count", len(alarms))
    for alarm in alarms:
        detail = sub(root, "alarm-detail")
        sub(detail, "alarm-time", _stamp(alarm.since),
            **{f"{{{jns}}}seconds": str(int(alarm.since))})
        sub(detail, "alarm-class", alarm.alarm_class)
        sub(detail, "alarm-description", alarm.description)
        sub(detail, "alarm-type", alarm.alarm_type)
    return root


def _alarm_text(alarms: list[Alarm]) -> str:
    """The CLI text (the shared sample ``command.text.show-system-alarms.pyez.xml``)."""
    if not alarms:
        return "No alarms currently active"
    lines = [f"{len(alarms)} alarms currently active", _ALARM_HEADER]
    lines += [f"{_stamp(a.since):<25}{a.alarm_class:<7}{a.description}" for a in alarms]
    return "\n".join(lines)


def _is_master(ctx: CommandContext) -> bool:
    return ctx.router.chassis.re(ctx.slot).state is REState.MASTER


def _alarms(ctx: CommandContext, found: list[Alarm]) -> Result:
    return Result([_alarm_xml(found, ctx.version)], _alarm_text(found))


def alarm_information(ctx: CommandContext, req: Request) -> Result:
    """``show chassis alarms`` (get-alarm-information): the chassis alarms, on the master;
    elsewhere Junos's "Aborted! ..." ``<output>``."""
    if not _is_master(ctx):
        return Result([rc.not_master_output_xml()], rc.not_master_text())
    return _alarms(ctx, chassis_alarms(ctx.router))


def system_alarm_information(ctx: CommandContext, req: Request) -> Result:
    """``show system alarms`` (get-system-alarm-information): on the master the chassis alarms
    (no system-only alarm is modelled); on another RE its own system alarms: none."""
    return _alarms(ctx, chassis_alarms(ctx.router) if _is_master(ctx) else [])


# ----------------------------------------------------------------------------- PIC status
def _fpc_rows(model: RouterModel) -> dict[int, ModuleSpec]:
    """Return the platform's inventory row of each FPC slot."""
    rows = {}
    for module in model.platform.modules:
        words = module.name.split()
        if len(words) == 2 and words[0] == "FPC" and words[1].isdigit():
            rows[int(words[1])] = module
    return rows


def _pics(fpc: ModuleSpec | None) -> Iterator[tuple[int, str]]:
    """Yield (PIC slot, description) of the PICs an FPC's inventory row lists (directly or
    under a MIC), by slot."""
    if fpc is None:
        return
    found: dict[int, str] = {}
    for child in fpc.children:
        for module in (child, *child.children):
            words = module.name.split()
            if len(words) == 2 and words[0] == "PIC" and words[1].isdigit():
                found.setdefault(int(words[1]), module.description or "")
    yield from sorted(found.items())


def pic_information(ctx: CommandContext, req: Request) -> Result:
    """``show chassis fpc pic-status [slot]`` (get-pic-information): each FPC (or FPC
    ``slot``), its state and description, and its PICs while it is Online."""
    model = ctx.router
    wanted = req.get("slot")
    rows = _fpc_rows(model)
    version = ctx.version
    root = etree.Element(f"{{{chassis_ns(version)}}}fpc-information",
                         nsmap={None: chassis_ns(version), "junos": junos_ns(version)})
    root.set(f"{{{junos_ns(version)}}}style", "pic-style")
    lines = []
    for slot, online, _since in model.chassis.fpc_states():
        if wanted is not None and str(wanted) != str(slot):
            continue
        state = "Online" if online else "Offline"
        description = (rows[slot].description or "") if slot in rows else ""
        fpc = sub(root, "fpc")
        sub(fpc, "slot", slot)
        sub(fpc, "state", state)
        sub(fpc, "description", description)
        lines.append(f"Slot {slot:<3} {state:<12} {description}".rstrip())
        for pic_slot, pic_type in (_pics(rows.get(slot)) if online else ()):
            pic = sub(fpc, "pic")
            sub(pic, "pic-slot", pic_slot)
            sub(pic, "pic-state", "Online")
            sub(pic, "pic-type", pic_type)
            lines.append(f"  PIC {pic_slot:<2} {'Online':<12} {pic_type}".rstrip())
    return Result([root], "\n".join(lines))
