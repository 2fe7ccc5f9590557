"""``show chassis fpc pic-status``, ``show chassis alarms`` and ``show system alarms`` computed from
the router model: PICs from the platform's inventory following their FPC's state, alarms
following the REs' state and mastership, driven on virtual time (no sockets)."""

from __future__ import annotations

from lxml import etree

from emulator.commands.alarms_pics import BACKUP_RE_ACTIVE, LOSS_OF_BACKUP, chassis_alarms
from emulator.commands.context import CommandContext, Result
from emulator.commands.operational import TABLE
from emulator.model.chassis import Scope
from emulator.model.router import RouterModel, RouterParams
from harness.session import strip_namespaces
from tests.shared import sample_text


def run(model: RouterModel, line: str, slot: int = 0) -> Result:
    cmd, req = TABLE.parse_cli(line)
    return cmd.handler(CommandContext(model, slot, "lab"), req)


def xml(result: Result) -> etree._Element:
    return strip_namespaces(result.xml[0])


def settle(model: RouterModel, seconds: float = 900) -> None:
    model.clock.advance(seconds)


def test_pics_are_the_inventorys_under_each_online_fpc() -> None:
    model = RouterModel(RouterParams("r1", platform="MX480"))
    found = xml(run(model, "show chassis fpc pic-status"))
    assert found.tag == "fpc-information"
    assert {(f.findtext("slot"), f.findtext("state")) for f in found.iter("fpc")} == {
        ("0", "Online"), ("1", "Online")}
    fpc0 = found.find("fpc")
    assert fpc0.findtext("description") == "MPC5E 3D Q 24XGE+6XLGE"
    assert [(p.findtext("pic-slot"), p.findtext("pic-state"), p.findtext("pic-type"))
            for p in fpc0.iter("pic")] == [("0", "Online", "12X10GE SFPP OTN"),
                                           ("1", "Online", "12X10GE SFPP OTN"),
                                           ("2", "Online", "3X40GE QSFPP"),
                                           ("3", "Online", "3X40GE QSFPP")]
    one = run(model, "show chassis fpc pic-status 1")
    assert [f.findtext("slot") for f in xml(one).iter("fpc")] == ["1"]
    assert one.text.splitlines() == ["Slot 1   Online       MPC5E 3D Q 24XGE+6XLGE",
                                     "  PIC 0  Online       12X10GE SFPP OTN"]


def test_an_offline_fpc_lists_no_pic() -> None:
    model = RouterModel(RouterParams("r1", platform="MX480"))
    settle(model)
    model.chassis.crash(0)  # the master: the backup takes over, the PFE is re-initialised
    model.clock.advance(1)
    fpcs = list(xml(run(model, "show chassis fpc pic-status", slot=1)).iter("fpc"))
    assert {f.findtext("state") for f in fpcs} == {"Offline"}
    assert not any(f.find("pic") is not None for f in fpcs)


def test_no_alarm_on_a_healthy_router_in_junos_words() -> None:
    model = RouterModel(RouterParams("r1"))
    for line in ("show chassis alarms", "show system alarms"):
        result = run(model, line)
        assert result.text == "No alarms currently active"
        summary = xml(result).find("alarm-summary")
        assert summary is not None and summary.find("no-active-alarms") is not None


def test_a_halted_backup_raises_loss_of_communication_until_it_is_back() -> None:
    model = RouterModel(RouterParams("r1"))
    settle(model)
    halted_at = model.clock.now()
    model.chassis.halt(1)
    model.clock.advance(30)
    assert [(a.description, a.alarm_class, a.since) for a in chassis_alarms(model)] == [
        (LOSS_OF_BACKUP, "Minor", halted_at)]
    for line in ("show chassis alarms", "show system alarms"):
        result = run(model, line, 0)
        found = xml(result)
        assert found.findtext("alarm-summary/active-alarm-count") == "1"
        detail = found.find("alarm-detail")
        assert detail.findtext("alarm-description") == LOSS_OF_BACKUP
        assert detail.findtext("alarm-class") == "Minor"
        assert detail.findtext("alarm-type") == "Chassis"
        seconds = next(v for k, v in detail.find("alarm-time").attrib.items()
                       if k.endswith("seconds"))
        assert int(seconds) == int(halted_at)
        lines = result.text.splitlines()
        assert lines[:2] == ["1 alarms currently active",
                             "Alarm time               Class  Description"]
        assert lines[2].endswith(f" UTC  Minor  {LOSS_OF_BACKUP}")
    model.chassis.power_on(1)
    settle(model)
    assert chassis_alarms(model) == []


def test_the_alarm_text_has_the_shape_of_the_junos_sample() -> None:
    sample = sample_text("command.text.show-system-alarms.pyez.xml")
    header = next(line for line in sample.splitlines() if line.startswith("Alarm time"))
    row = next(line for line in sample.splitlines() if "Minor" in line)
    model = RouterModel(RouterParams("r1"))
    settle(model)
    model.chassis.halt(1)
    model.clock.advance(5)
    ours = run(model, "show system alarms").text.splitlines()
    assert ours[1] == header
    assert ours[2].index("Minor") == row.index("Minor")


def test_backup_re_active_while_an_re_configured_backup_is_master() -> None:
    model = RouterModel(RouterParams("r1"))
    settle(model)
    model.chassis.crash(0)  # RE1 (backup by default) takes over, RE0 reboots
    settle(model)
    assert model.chassis.master_slot() == 1
    found = chassis_alarms(model)
    assert [a.description for a in found] == [BACKUP_RE_ACTIVE]
    assert found[0].since == model.chassis.master_since[1]
    assert [d.findtext("alarm-description") for d in
            xml(run(model, "show system alarms", slot=1)).iter("alarm-detail")] == [
        BACKUP_RE_ACTIVE]


def test_only_the_master_reports_chassis_alarms() -> None:
    model = RouterModel(RouterParams("r1"))
    settle(model)
    model.chassis.crash(0)
    settle(model)
    backup = run(model, "show chassis alarms", slot=0)
    assert "Aborted! This command can only be used on the master routing engine." in (
        backup.text)
    assert run(model, "show system alarms", slot=0).text == "No alarms currently active"


def test_no_backup_re_active_when_the_master_is_configured_master() -> None:
    model = RouterModel(RouterParams(
        "r1", config="set chassis redundancy routing-engine 1 master\n"
                     "set chassis redundancy routing-engine 0 backup\n"))
    settle(model)
    model.chassis.reboot(0, Scope.BOTH)
    settle(model)
    assert model.chassis.master_slot() == 1
    assert chassis_alarms(model) == []
