"""Renderers of chassis replies: one view -> the Junos XML element and the CLI text.

Every ``*_xml`` function returns the element that goes inside ``<rpc-reply>``; every ``*_text``
function returns the CLI output (lines end with ``\\n``).  Shapes follow the samples in
``../shared/junos/samples``:

* get-route-engine-information: ``get-route-engine-information.dual.mx480.pyez.xml``; text:
  the layout of real Junos (``Routing Engine status:`` / ``  Slot 0:`` / 4-space fields /
  6-space CPU lines), the column widths of ``show-chassis-routing-engine.single.text.genie.txt``
  (whose leading indentation was flattened by its source, so we keep Junos's own nesting);
* get-chassis-inventory: ``get-chassis-inventory.mx480-dual-re.pyez.xml`` and the columns of
  ``show-chassis-hardware.text.genie.txt``; on the backup RE the ``<output>`` of
  ``get-chassis-inventory.backup-re-not-master.pyez.xml``;
* get-software-information and ``show version invoke-on all-routing-engines``:
  ``command.show-version-invoke-on-all-routing-engines.dual.mx480.pyez.xml`` and
  ``show-version-invoke-on-all-routing-engines.text.genie.txt``;
* get-switchover-information: ``get-switchover-information.backup-re....pyez.xml`` and
  ``cli.dual-re-gres-checks.junos17.3.txt``.

get-craft-information has no sample: the ``<craft-information>`` element is our design
(choice, recorded in docs/emulator-model.md)::

    <craft-information xmlns=".../junos-chassis">
      <display-information><display-line>...</display-line>...</display-information>
      <routing-engine-led><slot>0</slot><master-led>on</master-led>
        <online-led>on</online-led><offline-led>off</offline-led></routing-engine-led> ...
      <alarm-indicators><red-led>off</red-led><yellow-led>off</yellow-led></alarm-indicators>
      <fpc-led><slot>0</slot><green-led>on</green-led><red-led>off</red-led></fpc-led> ...
    </craft-information>

Its text copies the ``show chassis craft-interface`` layout of M/T/MX routers (an FPM display
box, then ``*`` / ``.`` LED tables).  Times are rendered in UTC (the model has no time zone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from lxml import etree

from emulator.commands.views import (
    CpuUtilization,
    CraftView,
    InventoryView,
    MastershipState,
    ModuleView,
    RouteEngineInformationView,
    RouteEngineView,
    SoftwareView,
    SwitchoverView,
)
from emulator.model.platforms import junos_release

__all__ = [
    "NOT_MASTER_MESSAGE",
    "chassis_inventory_text",
    "chassis_inventory_xml",
    "chassis_ns",
    "craft_information_text",
    "craft_information_xml",
    "format_start_time",
    "format_temperature",
    "format_uptime",
    "gres_readiness_xml",
    "junos_ns",
    "multi_re_software_text",
    "multi_re_software_xml",
    "namespace_version",
    "not_master_output_xml",
    "not_master_text",
    "route_engine_information_text",
    "route_engine_information_xml",
    "software_information_text",
    "software_information_xml",
    "switchover_information_text",
    "switchover_information_xml",
    "switchover_reply_xml",
]

NOT_MASTER_MESSAGE = "Aborted! This command can only be used on the master routing engine."

_NS_BASE = "http://xml.juniper.net/junos/{version}/{schema}"
#: Column where text values start in ``show chassis routing-engine`` (genie sample: 31 + 4).
_VALUE_COL = 35
#: Numbers in that output are right-aligned to end in column 34 ("Idle   100 percent").
_NUMBER_COL = 30
#: Dashes under "re0:" in ``show version invoke-on all-routing-engines`` (genie sample).
_RE_RULE = "-" * 74


# --------------------------------------------------------------------------- helpers
def namespace_version(version: str) -> str:
    """Return the release part Junos puts in namespace URIs (``15.1F5.15`` -> ``15.1F5``,
    ``12.1X46-D15.3`` -> ``12.1X46``); the input itself when it does not look like Junos."""
    match = re.match(r"\d+\.\d+[A-Z]\d*", version)
    return match.group(0) if match else version


def junos_ns(version: str) -> str:
    """Return the ``junos:`` attribute namespace for Junos ``version``."""
    return _NS_BASE.format(version=namespace_version(version), schema="junos")


def chassis_ns(version: str) -> str:
    """Return the ``junos-chassis`` namespace for Junos ``version``."""
    return _NS_BASE.format(version=namespace_version(version), schema="junos-chassis")


def _root(tag: str, schema: str, version: str) -> etree._Element:
    ns = _NS_BASE.format(version=namespace_version(version), schema=schema)
    return etree.Element(f"{{{ns}}}{tag}", nsmap={None: ns, "junos": junos_ns(version)})


def _sub(parent: etree._Element, tag: str, text: object | None = None,
         attrib: dict[str, str] | None = None) -> etree._Element:
    """Append ``<tag>`` in the parent's namespace; ``text`` None means an empty element."""
    ns = etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag, attrib or {})
    if text is not None:
        el.text = str(text)
    return el


def _lines(lines: Iterable[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def format_temperature(celsius: int) -> str:
    """Return ``32 degrees C / 89 degrees F`` (Fahrenheit truncated, as in every sample)."""
    return f"{celsius} degrees C / {int(celsius * 9 / 5 + 32)} degrees F"


def format_start_time(epoch: float) -> str:
    """Return ``2016-12-21 08:47:57 UTC`` for epoch seconds."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_uptime(seconds: int) -> str:
    """Return ``9 days, 22 hours, 27 minutes, 12 seconds``; zero parts are left out as Junos
    does (``3 days, 17 hours, 27 seconds``), ``0 seconds`` when all are zero."""
    days, rest = divmod(max(0, int(seconds)), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    units = ((days, "day"), (hours, "hour"), (minutes, "minute"), (secs, "second"))
    parts = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in units if n]
    return ", ".join(parts) or "0 seconds"


# --------------------------------------------------------------------------- RE status, XML
def _cpu_xml(parent: etree._Element, cpu: CpuUtilization, suffix: str) -> None:
    for name, value in (("user", cpu.user), ("background", cpu.background),
                        ("system", cpu.system), ("interrupt", cpu.interrupt),
                        ("idle", cpu.idle)):
        _sub(parent, f"cpu-{name}{suffix}", value)


def _temperature_xml(parent: etree._Element, tag: str, celsius: int | None, ns: str) -> None:
    if celsius is not None:
        _sub(parent, tag, format_temperature(celsius), {f"{{{ns}}}celsius": str(celsius)})


def _memory_xml(parent: etree._Element, re_view: RouteEngineView) -> None:
    if re_view.memory_dram_size_mb is not None:
        _sub(parent, "memory-dram-size", f"{re_view.memory_dram_size_mb} MB")
    if re_view.memory_installed_size_mb is not None:
        _sub(parent, "memory-installed-size",
             f"({re_view.memory_installed_size_mb} MB installed)")
    if re_view.memory_buffer_utilization is not None:
        _sub(parent, "memory-buffer-utilization", re_view.memory_buffer_utilization)


def _times_xml(parent: etree._Element, re_view: RouteEngineView, ns: str) -> None:
    seconds = f"{{{ns}}}seconds"
    if re_view.start_time is not None:
        _sub(parent, "start-time", format_start_time(re_view.start_time),
             {seconds: str(int(re_view.start_time))})
    if re_view.up_time is not None:
        _sub(parent, "up-time", format_uptime(re_view.up_time),
             {seconds: str(int(re_view.up_time))})


def _route_engine_xml(parent: etree._Element, re_view: RouteEngineView, ns: str) -> None:
    el = _sub(parent, "route-engine")
    _sub(el, "slot", re_view.slot)
    _sub(el, "mastership-state", re_view.mastership_state.value)
    for tag, value in (("mastership-priority", re_view.mastership_priority),
                       ("status", re_view.status)):
        if value is not None:
            _sub(el, tag, value)
    _temperature_xml(el, "temperature", re_view.temperature_c, ns)
    _temperature_xml(el, "cpu-temperature", re_view.cpu_temperature_c, ns)
    _memory_xml(el, re_view)
    if re_view.cpu is not None:
        _cpu_xml(el, re_view.cpu, "")
    for index, block in enumerate((re_view.cpu_1min, re_view.cpu_5min, re_view.cpu_15min), 1):
        if block is not None:
            _cpu_xml(el, block, str(index))
    for tag, value in (("model", re_view.model), ("serial-number", re_view.serial_number)):
        if value is not None:
            _sub(el, tag, value)
    _times_xml(el, re_view, ns)
    if re_view.last_reboot_reason is not None:
        _sub(el, "last-reboot-reason", re_view.last_reboot_reason)
    if re_view.load_averages is not None:
        for tag, load in zip(("one", "five", "fifteen"), re_view.load_averages, strict=True):
            _sub(el, f"load-average-{tag}", f"{load:.2f}")


def route_engine_information_xml(view: RouteEngineInformationView, *, junos_version: str
                                 ) -> etree._Element:
    """Return ``<route-engine-information>`` with one ``<route-engine>`` per RE (no
    multi-routing-engine wrapper, as in the MX480 dual sample).  Raises nothing."""
    root = _root("route-engine-information", "junos-chassis", junos_version)
    for re_view in view.routing_engines:
        _route_engine_xml(root, re_view, junos_ns(junos_version))
    return root


# --------------------------------------------------------------------------- RE status, text
def _field(label: str, value: object) -> str:
    return f"    {label}".ljust(_VALUE_COL) + str(value)


def _number(label: str, value: object, unit: str, indent: int = 4) -> str:
    return f"{' ' * indent}{label}".ljust(_NUMBER_COL) + f"{value!s:>4} {unit}"


def _cpu_text(cpu: CpuUtilization, heading: str) -> list[str]:
    rows = (("User", cpu.user), ("Background", cpu.background), ("Kernel", cpu.system),
            ("Interrupt", cpu.interrupt), ("Idle", cpu.idle))
    return [f"    {heading}"] + [_number(label, n, "percent", 6) for label, n in rows]


def _cpu_blocks_text(re_view: RouteEngineView) -> list[str]:
    if re_view.cpu is None:
        return []
    if not re_view.cpu_intervals:
        return _cpu_text(re_view.cpu, "CPU utilization:")
    lines = _cpu_text(re_view.cpu, "5 sec CPU utilization:")
    for heading, block in (("1 min", re_view.cpu_1min), ("5 min", re_view.cpu_5min),
                           ("15 min", re_view.cpu_15min)):
        if block is not None:
            lines += _cpu_text(block, f"{heading} CPU utilization:")
    return lines


def _memory_text(re_view: RouteEngineView) -> list[str]:
    lines = []
    if re_view.memory_dram_size_mb is not None:
        dram = f"{re_view.memory_dram_size_mb} MB"
        if re_view.memory_installed_size_mb is not None:
            dram += f" ({re_view.memory_installed_size_mb} MB installed)"
        lines.append("    DRAM".ljust(_NUMBER_COL) + dram)
    if re_view.memory_buffer_utilization is not None:
        lines.append(_number("Memory utilization", re_view.memory_buffer_utilization,
                             "percent"))
    return lines


def _head_text(re_view: RouteEngineView) -> list[str]:
    lines = ["Routing Engine status:", f"  Slot {re_view.slot}:",
             _field("Current state", re_view.mastership_state.text)]
    if re_view.mastership_priority is not None:
        priority = re_view.mastership_priority
        lines.append(_field("Election priority", priority[:1].upper() + priority[1:]))
    for label, celsius in (("Temperature", re_view.temperature_c),
                           ("CPU temperature", re_view.cpu_temperature_c)):
        if celsius is not None:
            lines.append(f"    {label}".ljust(_NUMBER_COL) + f"{celsius:>4}"
                         + format_temperature(celsius)[len(str(celsius)):])
    return lines


def _tail_text(re_view: RouteEngineView) -> list[str]:
    fields = (
        ("Model", re_view.model),
        ("Serial ID", re_view.serial_number),
        ("Start time", None if re_view.start_time is None
         else format_start_time(re_view.start_time)),
        ("Uptime", None if re_view.up_time is None else format_uptime(re_view.up_time)),
        ("Last reboot reason", re_view.last_reboot_reason),
    )
    lines = [_field(label, value) for label, value in fields if value is not None]
    if re_view.load_averages is not None:
        one, five, fifteen = re_view.load_averages
        lines.append(_field("Load averages:", "1 minute   5 minute  15 minute"))
        lines.append(f"{one:>43.2f}{five:>11.2f}{fifteen:>11.2f}")
    return lines


def _route_engine_text(re_view: RouteEngineView) -> list[str]:
    if re_view.mastership_state is MastershipState.EMPTY:
        return _head_text(re_view)
    return (_head_text(re_view) + _memory_text(re_view) + _cpu_blocks_text(re_view)
            + _tail_text(re_view))


def route_engine_information_text(view: RouteEngineInformationView) -> str:
    """Return ``show chassis routing-engine``: a ``Routing Engine status:`` block per RE."""
    return _lines(line for re_view in view.routing_engines
                  for line in _route_engine_text(re_view))


# --------------------------------------------------------------------------- inventory
_MODULE_TAGS = ("chassis-module", "chassis-sub-module", "chassis-sub-sub-module",
                "chassis-sub-sub-sub-module")


def _module_xml(parent: etree._Element, module: ModuleView, depth: int) -> None:
    el = _sub(parent, _MODULE_TAGS[min(depth, len(_MODULE_TAGS) - 1)])
    for tag, value in (("name", module.name), ("version", module.version),
                       ("part-number", module.part_number),
                       ("serial-number", module.serial_number),
                       ("description", module.description), ("clei-code", module.clei_code),
                       ("model-number", module.model_number)):
        if value is not None:
            _sub(el, tag, value)
    for child in module.children:
        _module_xml(el, child, depth + 1)


def chassis_inventory_xml(view: InventoryView, *, junos_version: str) -> etree._Element:
    """Return ``<chassis-inventory>`` holding ``<chassis junos:style="inventory">`` and its
    module tree.  Raises nothing."""
    root = _root("chassis-inventory", "junos-chassis", junos_version)
    chassis = _sub(root, "chassis", attrib={f"{{{junos_ns(junos_version)}}}style": "inventory"})
    _sub(chassis, "name", view.name)
    _sub(chassis, "serial-number", view.serial_number)
    _sub(chassis, "description", view.description)
    for module in view.modules:
        _module_xml(chassis, module, 0)
    return root


def _inventory_row(item: str, version: str | None, part: str | None, serial: str | None,
                   description: str | None) -> str:
    # Columns of show-chassis-hardware.text.genie.txt: 16 + 1, 8 + 1, 12 + 1, 17 + 1.
    row = f"{item:<16} {version or '':<8} {part or '':<12} {serial or '':<17} {description or ''}"
    return row.rstrip()


def _module_text(module: ModuleView, depth: int) -> list[str]:
    lines = [_inventory_row("  " * depth + module.name, module.version, module.part_number,
                            module.serial_number, module.description)]
    for child in module.children:
        lines += _module_text(child, depth + 1)
    return lines


def chassis_inventory_text(view: InventoryView) -> str:
    """Return ``show chassis hardware`` (``Hardware inventory:`` and the module rows)."""
    lines = ["Hardware inventory:",
             _inventory_row("Item", "Version", "Part number", "Serial number", "Description"),
             _inventory_row(view.name, None, None, view.serial_number, view.description)]
    for module in view.modules:
        lines += _module_text(module, 0)
    return _lines(lines)


def not_master_output_xml() -> etree._Element:
    """Return the ``<output>`` a backup RE answers to get-chassis-inventory (PyEZ looks for
    "can only be used on the master routing engine" in it and raises ConnectNotMasterError)."""
    el = etree.Element("output")
    el.text = f"\n{NOT_MASTER_MESSAGE}"  # the sample's text starts on a new line
    return el


def not_master_text() -> str:
    """Return the CLI form: ``error: Aborted! This command can only be used ...``."""
    return f"error: {NOT_MASTER_MESSAGE}\n"


# --------------------------------------------------------------------------- craft interface
def _on(lit: bool) -> str:
    return "on" if lit else "off"


def craft_information_xml(view: CraftView, *, junos_version: str) -> etree._Element:
    """Return ``<craft-information>`` (our design, see the module docstring)."""
    root = _root("craft-information", "junos-chassis", junos_version)
    display = _sub(root, "display-information")
    for line in view.display_lines:
        _sub(display, "display-line", line)
    for leds in view.routing_engines:
        el = _sub(root, "routing-engine-led")
        _sub(el, "slot", leds.slot)
        _sub(el, "master-led", _on(leds.master))
        _sub(el, "online-led", _on(leds.online))
        _sub(el, "offline-led", _on(leds.offline))
    alarms = _sub(root, "alarm-indicators")
    _sub(alarms, "red-led", _on(view.red_alarm))
    _sub(alarms, "yellow-led", _on(view.yellow_alarm))
    for fpc in view.fpcs:
        el = _sub(root, "fpc-led")
        _sub(el, "slot", fpc.slot)
        _sub(el, "green-led", _on(fpc.green))
        _sub(el, "red-led", _on(fpc.red))
    return root


def _star(lit: bool) -> str:
    return "*" if lit else "."


def _led_table(title: str, label: str, slots: Sequence[int],
               rows: Sequence[tuple[str, Sequence[bool]]], width: int) -> list[str]:
    head = f"{label:<{width}}" + "".join(f"{s:>4}" for s in slots)
    lines = [title, head, "-" * len(head)]
    lines += [f"{name:<{width}}" + "".join(f"{_star(v):>4}" for v in values)
              for name, values in rows]
    return lines + [""]


def craft_information_text(view: CraftView) -> str:
    """Return ``show chassis craft-interface``: display box, RE, alarm and FPC LED tables."""
    box = ["FPM Display contents:", "+" + "-" * 20 + "+"]
    box += [f"|{line[:20]:<20}|" for line in view.display_lines] + ["+" + "-" * 20 + "+", ""]
    res = view.routing_engines
    lines = box + _led_table(
        "Front Panel System LEDs:", "Routing Engine", [r.slot for r in res],
        [("Master", [r.master for r in res]), ("Online", [r.online for r in res]),
         ("Offline", [r.offline for r in res])], 14)
    lines += ["Front Panel Alarm Indicators:", "-" * 29,
              f"Red LED      {_star(view.red_alarm)}", f"Yellow LED   {_star(view.yellow_alarm)}",
              ""]
    if view.fpcs:
        fpcs = view.fpcs
        lines += _led_table("Front Panel FPC LEDs:", "FPC", [f.slot for f in fpcs],
                            [("Red", [f.red for f in fpcs]), ("Green", [f.green for f in fpcs])],
                            6)
    return _lines(lines[:-1])


# --------------------------------------------------------------------------- software
def _has_junos_version(view: SoftwareView) -> bool:
    # NOTES.md 3.7: 15.1 and later add <junos-version> (and the "Junos:" text line).
    return junos_release(view.junos_version) >= (15, 1)


def _software_element(view: SoftwareView) -> etree._Element:
    # The samples' <software-information> carries no xmlns.
    root = etree.Element("software-information")
    _sub(root, "host-name", view.host_name)
    _sub(root, "product-model", view.product_model)
    _sub(root, "product-name", view.product_name)
    if _has_junos_version(view):
        _sub(root, "junos-version", view.junos_version)
    for package in view.packages:
        el = _sub(root, "package-information")
        _sub(el, "name", package.name)
        _sub(el, "comment", package.comment)
    return root


def software_information_xml(view: SoftwareView, *, junos_version: str) -> etree._Element:
    """Return ``<software-information>`` of one RE (``junos_version`` is unused: the element
    has no versioned namespace; the parameter keeps every renderer's signature alike)."""
    del junos_version
    return _software_element(view)


def software_information_text(view: SoftwareView) -> str:
    """Return ``show version`` of one RE: Hostname, Model, Junos (15.1+), package comments."""
    lines = [f"Hostname: {view.host_name}", f"Model: {view.product_model}"]
    if _has_junos_version(view):
        lines.append(f"Junos: {view.junos_version}")
    return _lines(lines + [package.comment for package in view.packages])


def multi_re_software_xml(views: Sequence[SoftwareView], *, junos_version: str
                          ) -> etree._Element:
    """Return ``<multi-routing-engine-results>`` with one item (``re-name`` +
    ``software-information``) per RE in ``views``."""
    del junos_version
    root = etree.Element("multi-routing-engine-results")
    for view in views:
        item = _sub(root, "multi-routing-engine-item")
        _sub(item, "re-name", view.re_name)
        item.append(_software_element(view))
    return root


def multi_re_software_text(views: Sequence[SoftwareView]) -> str:
    """Return ``show version invoke-on all-routing-engines``: ``re0:``, a dashed rule and the
    RE's ``show version``, a blank line between REs."""
    return "\n".join(f"{view.re_name}:\n{_RE_RULE}\n{software_information_text(view)}"
                     for view in views)


# --------------------------------------------------------------------------- switchover
def switchover_information_xml(view: SwitchoverView, *, junos_version: str) -> etree._Element:
    """Return ``<switchover-information>`` (junos-switchover namespace).  ``peer_state`` has
    no element in any sample; we render it as ``<peer-state>`` (choice)."""
    root = _root("switchover-information", "junos-switchover", junos_version)
    _sub(root, "switchover-state", "On" if view.graceful_switchover else "Off")
    if view.graceful_switchover:
        _sub(_sub(root, "switchover-mode"), "gres-mode")
    if view.configuration_db is not None:
        state = _sub(root, "configuration-state")
        _sub(state, f"configuration-{view.configuration_db.value}")
    if view.kernel_db is not None:
        state = _sub(root, "replication-state")
        _sub(state, f"replication-{view.kernel_db.value}")
    if view.peer_state is not None:
        _sub(root, "peer-state", view.peer_state)
    return root


def gres_readiness_xml(view: SwitchoverView) -> etree._Element | None:
    """Return the ``<gresreadiness-status>`` sibling (``<switchover-status/>`` + ``<output>``
    Ready / Not Ready), or None when the view has no switchover status."""
    if view.switchover_status is None:
        return None
    root = etree.Element("gresreadiness-status")
    etree.SubElement(root, "switchover-status")
    etree.SubElement(root, "output").text = view.switchover_status.value
    return root


def switchover_reply_xml(view: SwitchoverView, *, junos_version: str) -> list[etree._Element]:
    """Return every element the backup RE puts in ``<rpc-reply>`` for get-switchover-information
    (``switchover-information`` then ``gresreadiness-status``; the face adds the banner)."""
    elements = [switchover_information_xml(view, junos_version=junos_version)]
    readiness = gres_readiness_xml(view)
    return elements if readiness is None else [*elements, readiness]


def switchover_information_text(view: SwitchoverView) -> str:
    """Return ``show system switchover`` as printed on the backup RE (Junos 17.3 layout)."""
    lines = [f"Graceful switchover: {'On' if view.graceful_switchover else 'Off'}"]
    if view.configuration_db is not None:
        lines.append(f"Configuration database: {view.configuration_db.text}")
    if view.kernel_db is not None:
        lines.append(f"Kernel database: {view.kernel_db.text}")
    if view.peer_state is not None:
        lines.append(f"Peer state: {view.peer_state}")
    if view.switchover_status is not None:
        lines.append(f"Switchover Status: {view.switchover_status.value}")
    return _lines(lines)
