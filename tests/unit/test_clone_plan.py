"""``re-emulator clone`` from a recording to files: a real MX480's replies (golden samples)
cloned and built as ``serve`` builds it, a platform the catalogue lacks, unreachable REs and
key-only logins said in the report, the timing a lab run measured (a report written by the
harness's own store), and the testbed's ``emulator.state_dir`` the clone relies on."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from lxml import etree

from emulator.clone import STATE_NAME, write_clone
from emulator.clone import timing as clone_timing
from emulator.clone.errors import ReportDirError
from emulator.clone.readers import (
    SoftwareFacts,
    configuration_text,
    inventory,
    route_engines,
    software,
)
from emulator.clone.record import Recording, RERecording
from emulator.model.clock import VirtualClock
from emulator.model.mlog import syslog_stamp
from emulator.model.router import RouterModel
from emulator.server import EmulatorServer
from emulator.state import StateDir
from emulator.testbed_bridge import router_entry, router_params
from harness.report import run as report_run
from harness.report import store
from harness.report.recorder import Recorder
from harness.router.results import Phases, ShutdownResult, SwitchoverResult
from re_contract.errors import TestbedError
from re_contract.testbed import load_testbed, parse_testbed
from tests.shared import sample_text
from tests.unit.test_clone_readers import sample

LAB = {"routers": {"baku": {
    "platform": "MX480", "emulated": False,
    "re0": {"host": "192.0.2.11"}, "re1": {"host": "192.0.2.12"},
    "credentials": {"username": "netops", "password_env": "LAB_PASSWORD"},
    "budgets": {"forwarding_restored": 300}}}}
#: Two log lines in the router's own time (PST), the later one in the new year.
LOG = ("Dec 31 23:59:58 event = E_CMD_S, state = master, param = 0x0\n"
       "Jan  1 00:00:02 new state = backup\n")
#: A statement the emulator's schema lacks, on top of a real configuration.
EXTRA = "protocols {\n    mpls {\n        interface all;\n    }\n}\n"


def _software(slot: int) -> SoftwareFacts:
    root = sample("command.show-version-invoke-on-all-routing-engines.dual.mx480.pyez.xml")
    item = root.findall(".//multi-routing-engine-item")[slot]
    return software(item)


def mx480_recording(**changes: object) -> Recording:
    """A recording made of a real MX480's replies (samples), read 2016-12-31 16:00 PST."""
    spec = parse_testbed(LAB, "lab.yaml").router("baku")
    engines = tuple(route_engines(sample("get-route-engine-information.dual.mx480.pyez.xml")))
    config = configuration_text(etree.fromstring(
        "<rpc-reply><configuration-text/></rpc-reply>"))
    assert config == ""
    text = sample_text("config.groups-re0-re1.curly.vrnetlab-vmx.conf") + EXTRA
    res = {name: RERecording(name, True, _software(slot), text, (LOG, None))
           for slot, name in enumerate(("re0", "re1"))}
    now = 1483228800.0  # 2017-01-01 00:00:00 UTC = 2016-12-31 16:00 PST
    values: dict[str, object] = dict(
        spec=spec, res=res, engines=engines,
        inventory=inventory(sample("get-chassis-inventory.mx480-dual-re.pyez.xml")),
        now=now, zone=engines[0].zone)
    values.update(changes)
    return Recording(**values)  # type: ignore[arg-type]


def test_a_real_mx480_is_cloned_and_built_as_serve_builds_it(tmp_path: Path) -> None:
    result = write_clone(mx480_recording(), tmp_path)
    router = yaml.safe_load(result.testbed.read_text())["routers"]["baku"]
    emu = router["emulator"]
    assert router["platform"] == "MX480" and "platform" not in emu.get("platform", {})
    assert emu["versions"] == {"re0": "15.1F5.15-C1.12", "re1": "15.1F5.15"}  # as the sample
    assert emu["serials"] == {"re0": "9013088309", "re1": "9013086699"}
    assert emu["platform"]["chassis_serial"] == "JN1249018AFB"
    assert "hostname" not in emu  # the host names are the configuration's (groups re0/re1)
    assert "netconf_base_1_1" not in emu  # a hello of base:1.0 only, the emulator's default
    assert router["credentials"] == {"username": "netops", "password_env": "LAB_PASSWORD"}
    assert router["budgets"]["forwarding_restored"] == 300
    report = result.report.read_text()
    assert "router clock: 2016-12-31 16:00:00 as the router shows it (PST, shown by the " \
           "clone as UTC)" in report
    assert "re0 configuration [edit protocols] 'mpls {' -- syntax error" in report
    # Built from the files as serve builds it: the recorded configuration, the log.
    spec = load_testbed(result.testbed).router("baku")
    model = RouterModel(router_params(spec), VirtualClock(result.plan.clock))
    assert model.chassis.re(0).log.render() == LOG
    assert "mpls" not in model.configs[1].committed_text()
    assert "apply-groups [ re0 re1 ];" in model.configs[1].committed_text()
    # The clock shows 16:00 (PST's wall time), after the log's last line.
    assert result.plan.clock == 1483228800.0 - 8 * 3600
    state = json.loads((tmp_path / STATE_NAME / "baku" / "state.json").read_text())
    assert state["clock"] == result.plan.clock and set(state["res"]) == {"re0", "re1"}


def test_a_platform_the_catalogue_lacks_is_a_new_one_on_the_nearest(tmp_path: Path) -> None:
    rec = mx480_recording()
    res = {n: dataclasses.replace(r, software=SoftwareFacts("edge1", "mx10008", "21.4R3"))
           for n, r in rec.res.items()}
    inv = dataclasses.replace(rec.inventory, description="JNP10008 [MX10008]")  # type: ignore
    result = write_clone(dataclasses.replace(rec, res=res, inventory=inv), tmp_path)
    router = yaml.safe_load(result.testbed.read_text())["routers"]["baku"]
    override = router["emulator"]["platform"]
    assert router["platform"] == "MX10008"
    assert override["base"] == "MX960" and override["product_model"] == "mx10008"
    assert override["description"] == "JNP10008 [MX10008]"
    report = result.report.read_text()
    assert "platform MX10008: not in the emulator's catalogue; redundancy kind, companion " \
           "boards and keepalive interfaces are MX960's" in report
    assert "platform: the lab testbed says MX480, the router mx10008" in report


def test_an_unreachable_re_and_a_key_only_login_are_said(tmp_path: Path) -> None:
    rec = mx480_recording()
    lab = {"routers": {"baku": {**LAB["routers"]["baku"], "credentials": {
        "username": "netops", "key_file": "~/.ssh/id_lab"}}}}
    spec = parse_testbed(lab, "lab.yaml").router("baku")
    res = dict(rec.res)
    res["re1"] = RERecording("re1", False, errors=("192.0.2.12:830: cannot log in",))
    result = write_clone(dataclasses.replace(rec, spec=spec, res=res, inventory=None),
                         tmp_path)
    report = result.report.read_text()
    for line in ("re1: 192.0.2.12:830: cannot log in",
                 "re1 configuration: not read; the clone's re1 starts with the emulator's "
                 "initial configuration",
                 "re1 mastership log: not read",
                 "inventory (show chassis hardware): not read",
                 "login: netops logs in to the lab router by key; the clone takes password "
                 "'clone'"):
        assert line in report, line
    assert yaml.safe_load(result.testbed.read_text())["routers"]["baku"]["credentials"] == {
        "username": "netops", "password": "clone"}


def test_a_router_read_without_a_master_is_said(tmp_path: Path) -> None:
    rec = mx480_recording()
    engines = tuple(dataclasses.replace(e, state="giveup" if e.slot == 0 else "claim")
                    for e in rec.engines)
    result = write_clone(dataclasses.replace(rec, engines=engines), tmp_path)
    assert ("mastership: no RE reported itself master when the router was read (a mastership "
            "change under way?); the clone elects re0 at start") in result.report.read_text()


def test_a_lab_login_named_as_the_control_user_leaves_it_a_name_of_its_own(tmp_path: Path
                                                                           ) -> None:
    lab = {"routers": {"baku": {**LAB["routers"]["baku"], "credentials": {
        "username": "RE-Control", "password": "x"}}}}
    spec = parse_testbed(lab, "lab.yaml").router("baku")
    result = write_clone(dataclasses.replace(mx480_recording(), spec=spec), tmp_path)
    router = yaml.safe_load(result.testbed.read_text())["routers"]["baku"]
    assert router["control"]["username"] == "re-control-clone"


# --------------------------------------------------------------------------- timing
def _report_dir(tmp_path: Path) -> Path:
    """A report directory written by the harness's own store: three switchovers without GRES,
    one with, two reboots, of router baku (and one switchover of another router)."""
    rec = Recorder("lab")
    rec.add_router("baku", platform="MX480", lab=True)
    for control, data, ready in ((4.0, 95.0, 300.0), (6.0, 105.0, 310.0), (5.0, 100.0, 330.0)):
        rec.record_operation("baku", SwitchoverResult(
            operation="switchover", target="re1", master_before="re0", master_after="re1",
            duration=ready, wall_duration=1.0, started=0.0, until="redundant",
            phases=Phases(control, data, ready, False)))
    rec.record_operation("baku", SwitchoverResult(
        operation="switchover", target="re0", master_before="re1", master_after="re0",
        duration=10.0, wall_duration=1.0, started=0.0, phases=Phases(1.5, 0.0, 40.0, True)))
    for boot in (250.0, 270.0):
        rec.record_operation("baku", ShutdownResult(
            operation="reboot", target="re1", master_before="re0", master_after="re0",
            duration=boot, wall_duration=1.0, started=0.0, phases=Phases(boot)))
    rec.record_operation("other", SwitchoverResult(
        operation="switchover", target="re1", master_before="re0", master_after="re1",
        duration=9.0, wall_duration=1.0, started=0.0, phases=Phases(99.0, 99.0, 99.0, False)))
    store.write_json(rec, tmp_path / report_run.JSON_NAME)
    return tmp_path


def test_the_report_layout_read_is_the_harness_stores() -> None:
    assert clone_timing.REPORT_FORMAT == store.FORMAT
    assert store.VERSION in clone_timing.REPORT_VERSIONS
    assert clone_timing.REPORT_NAME == report_run.JSON_NAME


def test_measured_timing_is_the_median_per_phase(tmp_path: Path) -> None:
    measured = clone_timing.measured_timing(_report_dir(tmp_path), "baku")
    assert measured.control_plane.median == 5.0 and len(measured.control_plane.values) == 3
    assert measured.data_plane.median == 100.0 and measured.backup_ready.median == 310.0
    assert measured.control_plane_gres.values == (1.5,)
    assert measured.boot.median == 260.0
    fields, notes = clone_timing.timing_fields(
        measured, {"master_ready": 20.0, "fpc_stagger": 5.0, "master_ready_gres": 2.0}, 3)
    assert fields == {"resolution": 5.0, "resolution_gres": 1.5,
                      "fpc_boot": 100.0 - 5.0 - 20.0 - 10.0,
                      "backup_sync_switchover": 40.0 - 1.5 - 2.0, "boot": 260.0}
    assert notes[0] == ("timing.resolution = 5 s: switchover control plane without GRES, 5 s "
                        "(median of 3)")
    assert clone_timing.measured_timing(tmp_path, "nobody").empty()
    # Without a GRES switchover the backup's readiness says nothing of its kernel sync.
    plain = dataclasses.replace(measured, control_plane_gres=clone_timing.Sample(()),
                                backup_ready_gres=clone_timing.Sample(()))
    fields, notes = clone_timing.timing_fields(plain, {}, 2)
    assert "backup_sync_switchover" not in fields and "resolution_gres" not in fields
    assert any(n.startswith("timing.backup_sync_switchover: not measured") for n in notes)


def test_a_clone_with_a_report_dir_carries_the_measured_timing(tmp_path: Path) -> None:
    measured = clone_timing.measured_timing(_report_dir(tmp_path / "run"), "baku")
    result = write_clone(mx480_recording(), tmp_path / "clone", measured)
    emu = yaml.safe_load(result.testbed.read_text())["routers"]["baku"]["emulator"]
    report = result.report.read_text()
    assert emu["boot_time"] == 260.0
    assert "timing.boot = 260 s: RE reboot / power-on back and joined" in report
    assert emu["platform"]["timing"]["resolution"] == 5.0
    assert "  timing.resolution = 5 s: switchover control plane without GRES" in report


def test_report_dirs_that_hold_no_report_of_a_lab_run(tmp_path: Path) -> None:
    with pytest.raises(ReportDirError, match="cannot read the lab run's report"):
        clone_timing.measured_timing(tmp_path, "baku")
    (tmp_path / "report.json").write_text(json.dumps({"format": "junit"}))
    with pytest.raises(ReportDirError, match="format: expected 're-harness-report', got 'junit'"):
        clone_timing.measured_timing(tmp_path, "baku")
    (tmp_path / "report.json").write_text(json.dumps({"format": "re-harness-report",
                                                      "version": 1}))
    with pytest.raises(ReportDirError, match=r"version: expected one of \(2,\), got 1"):
        clone_timing.measured_timing(tmp_path / "report.json", "baku")


# --------------------------------------------------------------------------- state_dir
def test_state_dir_is_relative_to_the_testbed_and_must_hold_the_router(tmp_path: Path
                                                                        ) -> None:
    result = write_clone(mx480_recording(), tmp_path / "clone")
    spec = load_testbed(result.testbed).router("baku")
    assert spec.emulator is not None
    assert spec.emulator.state_dir == tmp_path / "clone" / STATE_NAME
    text = result.testbed.read_text().replace("baku", "lisbon")
    moved = tmp_path / "clone" / "other.yaml"
    moved.write_text(text)
    with pytest.raises(TestbedError, match=r"routers\.lisbon\.emulator\.state_dir: expected a "
                                           r"state directory holding router 'lisbon', got no "
                                           r".*lisbon/state\.json \(line \d+\)"):
        router_params(load_testbed(moved).router("lisbon"))


def test_a_saved_configuration_the_emulator_refuses_is_a_testbed_error(tmp_path: Path
                                                                        ) -> None:
    result = write_clone(mx480_recording(), tmp_path)
    path = tmp_path / STATE_NAME / "baku" / "state.json"
    data = json.loads(path.read_text())
    data["res"]["re1"]["config"] = "system { frobnicate yes; }\n"
    data["res"]["re1"].pop("tree", None)
    path.write_text(json.dumps(data))
    with pytest.raises(TestbedError, match=r"emulator\.state_dir: expected a configuration of "
                                           r"re1 the emulator loads, got syntax error"):
        router_params(load_testbed(result.testbed).router("baku"))


def test_a_recorded_router_is_reset_to_its_recording(tmp_path: Path) -> None:
    result = write_clone(mx480_recording(), tmp_path)
    params = router_params(load_testbed(result.testbed).router("baku"))
    model = RouterModel(params, VirtualClock(result.plan.clock))
    recorded = {s: db.committed_text() for s, db in model.configs.items()}
    model.configs[0].load("set system location building north", format="set")
    model.commit(0, "lab")
    assert "building north" in model.configs[0].committed_text()
    model.chassis.re(0).log.write(model.clock.now(), "something new")
    model.reset()
    assert {s: db.committed_text() for s, db in model.configs.items()} == recorded
    assert model.chassis.re(0).log.render() == LOG


def test_state_dir_as_written_without_a_file_and_absolute_as_given(tmp_path: Path) -> None:
    router = {"platform": "MX480", "emulated": True, "re0": {"host": "127.0.0.1"},
              "credentials": {"username": "a", "password": "b"},
              "control": {"username": "c", "password": "d"},
              "emulator": {"state_dir": "state"}}
    spec = parse_testbed({"routers": {"r": router}}, "<data>").router("r")
    assert spec.emulator is not None and spec.emulator.state_dir == Path("state")
    router["emulator"] = {"state_dir": str(tmp_path / "abs")}
    path = tmp_path / "elsewhere" / "t.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump({"routers": {"r": router}}))
    spec = load_testbed(path).router("r")
    assert spec.emulator is not None and spec.emulator.state_dir == tmp_path / "abs"


def test_a_recorded_router_served_with_a_state_dir_keeps_one_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve --state-dir`` of a clone: the saved log holds the recorded one, so a restart
    restores it once (no recorded line twice), and keeps what was written after it."""
    monkeypatch.setenv("LAB_PASSWORD", "secret")
    result = write_clone(mx480_recording(), tmp_path / "clone")
    spec = load_testbed(result.testbed).router("baku")
    first = EmulatorServer([router_entry(spec)], state_dir=tmp_path / "saved")
    model = first.routers[0].model
    assert model is not None
    model.chassis.re(0).log.write(model.clock.now(), "written after the recording")
    StateDir(tmp_path / "saved").save(model)
    again = EmulatorServer([router_entry(spec)], state_dir=tmp_path / "saved").routers[0].model
    assert again is not None
    assert again.chassis.re(0).log.render().splitlines() == [
        *LOG.splitlines(), f"{syslog_stamp(model.clock.now())} written after the recording"]
