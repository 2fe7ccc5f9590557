"""Chassis renderers against the golden samples: XML structure and text layout line by line.

XML: the element names, their order, attributes and namespaces of our reply equal the sample's
(values are compared only where the sample's value is not time-zone or release specific).
Text: each line matches a pattern derived from the sample line it stands for.
"""

from __future__ import annotations

import calendar
import re
import textwrap

import pytest
from lxml import etree

from emulator.commands import render_chassis as rc
from emulator.commands.views import (
    CpuUtilization,
    CraftView,
    DatabaseState,
    FpcLeds,
    InventoryView,
    MastershipState,
    ModuleView,
    PackageView,
    REBoard,
    RouteEngineInformationView,
    RouteEngineLeds,
    RouteEngineView,
    SoftwareView,
    SwitchoverStatus,
    SwitchoverView,
    inventory_view,
)
from emulator.model.platforms import get_platform
from tests.shared import sample_text

CHASSIS_15 = "http://xml.juniper.net/junos/15.1F5/junos-chassis"
JUNOS_15 = "http://xml.juniper.net/junos/15.1F5/junos"


def _sample(name: str) -> str:
    return sample_text(name)


def _sample_xml(name: str) -> etree._Element:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.fromstring(_sample(name).encode(), parser)


def _shape(el: etree._Element, depth: int = 0) -> list[tuple[int, str, tuple[str, ...]]]:
    """Return (depth, {ns}tag, sorted {ns}attribute names) for every element, in order."""
    rows = [(depth, str(el.tag), tuple(sorted(str(k) for k in el.attrib)))]
    for child in el:
        rows += _shape(child, depth + 1)
    return rows


def _content(el: etree._Element) -> list[tuple[str, dict[str, str], str]]:
    """Return (tag, attributes, stripped text) of every element in document order."""
    return [(str(e.tag), dict(e.attrib), (e.text or "").strip()) for e in el.iter()]


def _epoch(text: str) -> int:
    return calendar.timegm(tuple(int(x) for x in re.findall(r"\d+", text)[:6]) + (0, 0, 0))


# --------------------------------------------------------------------------- RE status
MX480_RE0 = RouteEngineView(
    slot=0, mastership_state=MastershipState.MASTER, mastership_priority="master (default)",
    status="OK", temperature_c=32, cpu_temperature_c=30, memory_dram_size_mb=32719,
    memory_installed_size_mb=32768, memory_buffer_utilization=4,
    cpu=CpuUtilization(0, 0, 1, 0, 98), cpu_1min=CpuUtilization(0, 0, 1, 0, 98),
    cpu_5min=CpuUtilization(0, 0, 1, 0, 99), cpu_15min=CpuUtilization(0, 0, 1, 0, 99),
    model="RE-S-1800x4", serial_number="9013088309", start_time=1482338877.0, up_time=858432,
    last_reboot_reason="Router rebooted after a normal shutdown.",
    load_averages=(0.29, 0.23, 0.19),
)
MX480_RE1 = RouteEngineView(
    slot=1, mastership_state=MastershipState.BACKUP, mastership_priority="backup (default)",
    status="OK", temperature_c=32, cpu_temperature_c=29, memory_dram_size_mb=32719,
    memory_installed_size_mb=32768, memory_buffer_utilization=4,
    cpu=CpuUtilization(0, 0, 0, 0, 100), model="RE-S-1800x4", serial_number="9013086699",
    start_time=1482338886.0, up_time=858408,
    last_reboot_reason="Router rebooted after a normal shutdown.",
    load_averages=(0.17, 0.13, 0.09),
)
MX480_DUAL = RouteEngineInformationView((MX480_RE0, MX480_RE1))


def test_route_engine_xml_has_the_shape_of_the_mx480_dual_sample() -> None:
    sample = _sample_xml("get-route-engine-information.dual.mx480.pyez.xml")[0]
    ours = rc.route_engine_information_xml(MX480_DUAL, junos_version="15.1F5.15")
    assert _shape(ours) == _shape(sample)
    assert ours.nsmap["junos"] == JUNOS_15 and etree.QName(ours).namespace == CHASSIS_15


def test_route_engine_xml_values_match_the_sample_except_the_time_zone() -> None:
    sample = _sample_xml("get-route-engine-information.dual.mx480.pyez.xml")[0]
    ours = rc.route_engine_information_xml(MX480_DUAL, junos_version="15.1F5.15")
    pairs = list(zip(sample.iter(), ours.iter(), strict=True))
    for theirs, mine in pairs:
        assert dict(mine.attrib) == dict(theirs.attrib), theirs.tag
        if etree.QName(theirs).localname != "start-time":
            assert (mine.text or "").strip() == (theirs.text or "").strip(), theirs.tag
    start = ours.find(f"{{{CHASSIS_15}}}route-engine/{{{CHASSIS_15}}}start-time")
    assert start is not None and start.text == "2016-12-21 16:47:57 UTC"


def test_route_engine_text_reproduces_the_genie_single_sample() -> None:
    # The sample's lines: same content and inner column widths; its leading indentation was
    # flattened by its source, so compare each line without the leading blanks.
    sample = _sample("show-chassis-routing-engine.single.text.genie.txt").splitlines()[1:]
    sample = [line for line in sample if line.strip()]
    cpu = CpuUtilization(1, 0, 1, 0, 98)
    view = RouteEngineInformationView((RouteEngineView(
        slot=0, mastership_state=MastershipState.MASTER, mastership_priority="master (default)",
        status="OK", memory_dram_size_mb=2002, memory_installed_size_mb=2048,
        memory_buffer_utilization=19, cpu=cpu, cpu_1min=cpu, cpu_5min=cpu, cpu_15min=cpu,
        model="RE-VMX", start_time=_epoch("2019-08-29 09:02:22"),
        up_time=((208 * 24 + 23) * 60 + 14) * 60 + 9,
        last_reboot_reason="Router rebooted after a normal shutdown.",
        load_averages=(0.72, 0.46, 0.40)),))
    ours = rc.route_engine_information_text(view).splitlines()
    assert len(ours) == len(sample)
    for mine, theirs in zip(ours, sample, strict=True):
        assert mine.strip() == theirs.strip()


# One pattern per line of the Junos layout (genie sample widths, chapter nesting).
RE_LAYOUT = [
    r"Routing Engine status:",
    r"  Slot 0:",
    r"    Current state {18}Master",
    r"    Election priority {14}Master \(default\)",
    r"    Temperature {17}32 degrees C / 89 degrees F",
    r"    CPU temperature {13}30 degrees C / 86 degrees F",
    r"    DRAM {22}32719 MB \(32768 MB installed\)",
    r"    Memory utilization {11}4 percent",
    r"    5 sec CPU utilization:",
    r"      User {23}\d percent",
    r"      Background {17}\d percent",
    r"      Kernel {21}\d percent",
    r"      Interrupt {18}\d percent",
    r"      Idle {22}\d\d percent",
    *[p for period in ("1 min", "5 min", "15 min") for p in (
        rf"    {period} CPU utilization:", r"      User {23}\d percent",
        r"      Background {17}\d percent", r"      Kernel {21}\d percent",
        r"      Interrupt {18}\d percent", r"      Idle {22}\d\d percent")],
    r"    Model {26}RE-S-1800x4",
    r"    Serial ID {22}9013088309",
    r"    Start time {21}2016-12-21 16:47:57 UTC",
    r"    Uptime {25}9 days, 22 hours, 27 minutes, 12 seconds",
    r"    Last reboot reason {13}Router rebooted after a normal shutdown\.",
    r"    Load averages: {17}1 minute   5 minute  15 minute",
    r" {39}0\.29 {7}0\.23 {7}0\.19",
    r"Routing Engine status:",
    r"  Slot 1:",
    r"    Current state {18}Backup",
    r"    Election priority {14}Backup \(default\)",
    r"    Temperature {17}32 degrees C / 89 degrees F",
    r"    CPU temperature {13}29 degrees C / 84 degrees F",
    r"    DRAM {22}32719 MB \(32768 MB installed\)",
    r"    Memory utilization {11}4 percent",
    r"    CPU utilization:",
    r"      User {23}0 percent",
    r"      Background {17}0 percent",
    r"      Kernel {21}0 percent",
    r"      Interrupt {18}0 percent",
    r"      Idle {21}100 percent",
    r"    Model {26}RE-S-1800x4",
    r"    Serial ID {22}9013086699",
    r"    Start time {21}2016-12-21 16:48:06 UTC",
    r"    Uptime {25}9 days, 22 hours, 26 minutes, 48 seconds",
    r"    Last reboot reason {13}Router rebooted after a normal shutdown\.",
    r"    Load averages: {17}1 minute   5 minute  15 minute",
    r" {39}0\.17 {7}0\.13 {7}0\.09",
]


def test_route_engine_text_layout_line_by_line() -> None:
    lines = rc.route_engine_information_text(MX480_DUAL).splitlines()
    assert len(lines) == len(RE_LAYOUT)
    for line, pattern in zip(lines, RE_LAYOUT, strict=True):
        assert re.fullmatch(pattern, line), (pattern, line)


def test_load_average_values_end_under_their_headings() -> None:
    lines = rc.route_engine_information_text(MX480_DUAL).splitlines()
    heading = next(i for i, line in enumerate(lines) if "Load averages:" in line)
    ends = [m.end() for m in re.finditer(r"\d+ minute", lines[heading])]
    assert [m.end() for m in re.finditer(r"\d\.\d\d", lines[heading + 1])] == ends


def test_empty_and_present_slots() -> None:
    view = RouteEngineInformationView((
        RouteEngineView.present(0, "master (default)", "RE-S-1800x4"),
        RouteEngineView.empty(1),
    ))
    assert rc.route_engine_information_text(view).splitlines() == [
        "Routing Engine status:", "  Slot 0:",
        "    Current state                  Present",
        "    Election priority              Master (default)",
        "    Model                          RE-S-1800x4",
        "Routing Engine status:", "  Slot 1:",
        "    Current state                  Empty",
    ]
    xml = rc.route_engine_information_xml(view, junos_version="15.1F5")
    assert [etree.QName(e).localname for e in xml[1]] == ["slot", "mastership-state"]
    assert xml[1][1].text == "empty" and xml[0][1].text == "present"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(858432, "9 days, 22 hours, 27 minutes, 12 seconds"),
     (3 * 86400 + 17 * 3600 + 27, "3 days, 17 hours, 27 seconds"),
     (3661, "1 hour, 1 minute, 1 second"), (0, "0 seconds")],
)
def test_format_uptime(seconds: int, text: str) -> None:
    assert rc.format_uptime(seconds) == text


@pytest.mark.parametrize(("celsius", "text"), [(29, "29 degrees C / 84 degrees F"),
                                               (26, "26 degrees C / 78 degrees F"),
                                               (53, "53 degrees C / 127 degrees F")])
def test_format_temperature_truncates_like_junos(celsius: int, text: str) -> None:
    assert rc.format_temperature(celsius) == text


@pytest.mark.parametrize(("version", "ns"), [("15.1F5.15", "15.1F5"), ("16.1R1", "16.1R1"),
                                             ("12.1X46-D15.3", "12.1X46"),
                                             ("17.3R3-S8.1", "17.3R3")])
def test_namespace_version(version: str, ns: str) -> None:
    assert rc.namespace_version(version) == ns


# --------------------------------------------------------------------------- inventory
def _module_from_xml(el: etree._Element) -> ModuleView:
    def text(tag: str) -> str | None:
        found = el.find(f"{{{CHASSIS_15}}}{tag}")
        return None if found is None else found.text

    children = tuple(_module_from_xml(c) for c in el
                     if etree.QName(c).localname.startswith("chassis-sub"))
    return ModuleView(text("name") or "", text("version"), text("part-number"),
                      text("serial-number"), text("description"), text("clei-code"),
                      text("model-number"), children)


def test_inventory_xml_round_trips_the_mx480_sample() -> None:
    sample = _sample_xml("get-chassis-inventory.mx480-dual-re.pyez.xml")[0]
    chassis = sample[0]
    view = InventoryView(
        "Chassis", "JN1249018AFB", "MX480",
        tuple(_module_from_xml(m) for m in chassis
              if etree.QName(m).localname == "chassis-module"))
    ours = rc.chassis_inventory_xml(view, junos_version="15.1F5.15")
    assert _shape(ours) == _shape(sample)
    assert _content(ours) == _content(sample)


def test_inventory_xml_from_the_catalogue_uses_the_sample_element_vocabulary() -> None:
    sample = _sample_xml("get-chassis-inventory.mx480-dual-re.pyez.xml")[0]
    view = inventory_view(get_platform("MX480"), {0: REBoard("RE-S-1800x4", "S0"),
                                                  1: REBoard("RE-S-1800x4", "S1")})
    ours = rc.chassis_inventory_xml(view, junos_version="15.1F5")
    assert {row[1:] for row in _shape(ours)} <= {row[1:] for row in _shape(sample)}
    names = [e.text for e in ours.iter(f"{{{CHASSIS_15}}}name")]
    assert names[:7] == ["Chassis", "Midplane", "FPM Board", "PEM 0", "PEM 2",
                         "Routing Engine 0", "Routing Engine 1"]


def test_inventory_view_drops_a_pulled_re_and_shows_board_data() -> None:
    view = inventory_view(get_platform("M320"), {1: REBoard("RE-4.0", "P999")})
    rows = {m.name: m for m in view.modules}
    assert "Routing Engine 0" not in rows
    assert (rows["Routing Engine 1"].serial_number, rows["Routing Engine 1"].description) == (
        "P999", "RE-4.0")
    assert (view.serial_number, view.description) == ("65565", "M320")


def test_inventory_text_reproduces_the_genie_sample() -> None:
    raw = _sample("show-chassis-hardware.text.genie.txt").splitlines()[1:]
    sample = [line.rstrip() for line in textwrap.dedent("\n".join(raw)).splitlines()
              if line.strip()]
    view = InventoryView("Chassis", "VM5D4C6B3599", "VMX", (
        ModuleView("Midplane"),
        ModuleView("Routing Engine 0", description="RE-VMX"),
        ModuleView("CB 0", description="VMX SCB"),
        ModuleView("FPC 0", description="Virtual FPC", children=(
            ModuleView("CPU", "Rev. 1.0", "RIOT-LITE", "BUILTIN"),
            ModuleView("MIC 0", description="Virtual", children=(
                ModuleView("PIC 0", part_number="BUILTIN", serial_number="BUILTIN",
                           description="Virtual"),)),
        )),
    ))
    assert rc.chassis_inventory_text(view).splitlines() == sample


def test_inventory_text_of_the_chapter_m320_rows() -> None:
    view = inventory_view(get_platform("M320"), {0: REBoard("RE-4.0", "P11123900322"),
                                                 1: REBoard("RE-4.0", "P11123900311")})
    lines = rc.chassis_inventory_text(view).splitlines()
    assert lines[0] == "Hardware inventory:"
    assert re.fullmatch(r"Item {13}Version  Part number  Serial number {5}Description", lines[1])
    assert re.fullmatch(r"Chassis {32}65565 {13}M320", lines[2])
    assert re.fullmatch(r"Routing Engine 0 REV 05   740-008883   P11123900322 {6}RE-4\.0",
                        lines[11])
    assert re.fullmatch(r"CB 1 {13}REV 07   710-009115   HW8693 {12}M320 Control Board",
                        lines[14])


def test_not_master_output_matches_the_backup_re_sample() -> None:
    sample = _sample_xml("get-chassis-inventory.backup-re-not-master.pyez.xml")[0]
    ours = rc.not_master_output_xml()
    assert _shape(ours) == _shape(sample)
    assert (ours.text or "").strip() == (sample.text or "").strip()
    assert "can only be used on the master routing engine" in (ours.text or "")
    # Chapter, "Display the Router Hardware": the CLI form.
    assert rc.not_master_text() == (
        "error: Aborted! This command can only be used on the master routing engine.\n")


# --------------------------------------------------------------------------- craft
CRAFT = CraftView(
    display_lines=("baku", "Up: 9+22:27", "", ""),
    routing_engines=(RouteEngineLeds(0, master=False, online=True, offline=False),
                     RouteEngineLeds(1, master=True, online=True, offline=False)),
    fpcs=(FpcLeds(0, green=True, red=False), FpcLeds(1, green=False, red=True)),
)


def test_craft_xml_shows_which_re_has_the_master_led() -> None:
    ours = rc.craft_information_xml(CRAFT, junos_version="15.1F5")
    assert etree.QName(ours).namespace == CHASSIS_15
    ns = {"c": CHASSIS_15}
    lit = ours.xpath("c:routing-engine-led[c:master-led='on']/c:slot/text()", namespaces=ns)
    assert lit == ["1"] and CRAFT.master_slot == 1
    assert [etree.QName(e).localname for e in ours] == [
        "display-information", "routing-engine-led", "routing-engine-led", "alarm-indicators",
        "fpc-led", "fpc-led"]
    assert ours.xpath("c:fpc-led[c:slot='1']/c:red-led/text()", namespaces=ns) == ["on"]


def test_craft_text_tables() -> None:
    lines = rc.craft_information_text(CRAFT).splitlines()
    assert lines[:3] == ["FPM Display contents:", "+" + "-" * 20 + "+", "|baku" + " " * 16 + "|"]
    start = lines.index("Front Panel System LEDs:")
    assert re.fullmatch(r"Routing Engine +0 +1", lines[start + 1])
    assert re.fullmatch(r"Master +\. +\*", lines[start + 3])
    assert re.fullmatch(r"Online +\* +\*", lines[start + 4])
    fpc = lines.index("Front Panel FPC LEDs:")
    assert re.fullmatch(r"Red +\. +\*", lines[fpc + 3])
    assert re.fullmatch(r"Green +\* +\.", lines[fpc + 4])


# --------------------------------------------------------------------------- software
def _software_from_xml(item: etree._Element) -> SoftwareView:
    info = item.find("software-information")
    assert info is not None
    packages = tuple(PackageView(p.findtext("name") or "", p.findtext("comment") or "")
                     for p in info.findall("package-information"))
    return SoftwareView(item.findtext("re-name") or "", info.findtext("host-name") or "",
                        info.findtext("product-model") or "",
                        info.findtext("product-name") or "",
                        info.findtext("junos-version") or "", packages)


def test_multi_re_software_xml_round_trips_the_mx480_sample() -> None:
    sample = _sample_xml("command.show-version-invoke-on-all-routing-engines.dual.mx480.pyez.xml")
    results = sample[0]
    views = [_software_from_xml(item) for item in results]
    ours = rc.multi_re_software_xml(views, junos_version="15.1F5")
    assert _shape(ours) == _shape(results)
    assert _content(ours) == _content(results)


def test_software_xml_before_15_1_has_no_junos_version() -> None:
    sample = _sample_xml("get-software-information.single.pyez.xml")[0]
    view = SoftwareView("re0", "firefly", "firefly-perimeter", "firefly-perimeter",
                        "12.1X46-D15.3",
                        (PackageView("junos", "JUNOS Software Release [12.1X46-D15.3]"),))
    ours = rc.software_information_xml(view, junos_version="12.1X46-D15.3")
    assert _shape(ours) == _shape(sample)
    assert "Junos:" not in rc.software_information_text(view)


def test_multi_re_software_text_follows_the_genie_sample() -> None:
    raw = _sample("show-version-invoke-on-all-routing-engines.text.genie.txt").splitlines()
    sample = [line.rstrip() for line in textwrap.dedent("\n".join(raw[2:])).splitlines()
              if line.strip()]
    packages = tuple(PackageView(f"p{i}", comment) for i, comment in enumerate(sample[5:]))
    re0 = SoftwareView("re0", "sr_hktGDS201", "vmx", "vmx", "19.2R1.8", packages)
    assert rc.multi_re_software_text([re0]).splitlines() == sample


def test_multi_re_software_text_separates_res_with_a_blank_line() -> None:
    views = [SoftwareView(f"re{i}", f"baku{i}", "mx480", "mx480", "15.1F5.15") for i in (0, 1)]
    assert rc.multi_re_software_text(views).splitlines() == [
        "re0:", "-" * 74, "Hostname: baku0", "Model: mx480", "Junos: 15.1F5.15", "",
        "re1:", "-" * 74, "Hostname: baku1", "Model: mx480", "Junos: 15.1F5.15"]


# --------------------------------------------------------------------------- switchover
SAMPLE_SWITCHOVER = SwitchoverView(
    graceful_switchover=True, configuration_db=DatabaseState.READY,
    kernel_db=DatabaseState.SYNCHRONIZING, switchover_status=SwitchoverStatus.NOT_READY)


def test_switchover_xml_has_the_shape_of_the_backup_re_sample() -> None:
    sample = _sample_xml("get-switchover-information.backup-re.via-request-shell-execute.pyez.xml")
    ours = rc.switchover_reply_xml(SAMPLE_SWITCHOVER, junos_version="16.1I0")
    assert len(ours) == 2
    for mine, theirs in zip(ours, sample[:2], strict=True):
        assert _shape(mine) == _shape(theirs)
        assert _content(mine) == _content(theirs)


def test_switchover_text_matches_the_junos_17_3_transcript() -> None:
    transcript = _sample("cli.dual-re-gres-checks.junos17.3.txt").splitlines()
    start = transcript.index("Graceful switchover: On")
    view = SwitchoverView(True, DatabaseState.READY, DatabaseState.READY,
                          switchover_status=SwitchoverStatus.READY)
    assert rc.switchover_information_text(view).splitlines() == transcript[start:start + 4]


def test_switchover_with_gres_off_and_an_older_peer_state_line() -> None:
    assert rc.switchover_information_text(SwitchoverView(False)) == "Graceful switchover: Off\n"
    assert rc.switchover_reply_xml(SwitchoverView(False), junos_version="9.6R1")[0][0].text == (
        "Off")
    old = SwitchoverView(True, DatabaseState.READY, DatabaseState.READY, "Steady State")
    assert rc.switchover_information_text(old).splitlines()[-1] == "Peer state: Steady State"
    assert rc.gres_readiness_xml(old) is None
