"""``re-emulator clone``: a router served as a lab router (``emulated: false``, reached only over
NETCONF, as ``tests/plugin/conftest.py::lab_router`` serves one) with a non-default platform,
versions and configuration, cloned; then ``re-emulator serve`` of the clone answers the fixed RPC
set (:data:`emulator.clone.checks.CLONE_CHECKS`) as the original does, and ``pytest suites``
passes against the clone."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from emulator.app import main as app_main
from emulator.clone import STATE_NAME, CloneError, clone_router
from emulator.clone.checks import CLONE_CHECKS, MOMENT, NOT_CARRIED, compare, read_checks
from emulator.model.router import RouterModel
from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from harness.clock import EmulatedClock
from harness.report import run as report_run
from harness.report import store
from harness.report.recorder import Recorder
from harness.router import DualRERouter, OperationResult
from re_contract.control import CONTROL_NS
from re_contract.listeners import CONTROL
from re_contract.records import RouterSpec
from re_contract.snapshots import load_snapshot_file
from re_contract.testbed import Endpoint, default_testbed_path, load_testbed, parse_testbed
from tests.integration.test_emulator_lab import Netconf, switch_rpc
from tests.integration.test_serve_shards import serving

REPO = Path(__file__).resolve().parents[2]

#: The router posing as a lab router: a T640 with its own chassis serial and an extra FPC, Junos
#: 10.4 on both REs, RE-1600s with their own serials, and a configuration of its own (groups
#: re0/re1, commit synchronize, a login, SNMP, an interface).
SOURCE = """
routers:
  core7:
    platform: T640
    emulated: true
    re0: {host: 127.0.0.1, port: 0}
    re1: {host: 127.0.0.1, port: 0}
    master_only: {host: 127.0.0.1, port: 0}
    credentials: {username: lab, password: lab123}
    control: {username: re-control, password: re-control}
    emulator:
      versions: {re0: 10.4R9.2, re1: 10.4R9.2}
      re_models: {re0: RE-1600, re1: RE-1600}
      serials: {re0: P1600A001, re1: P1600A002}
      hostname: core7
      boot_time: 95
      netconf_base_1_1: true
      config: |
        set system commit synchronize
        set system login user ops uid 2001
        set system login user ops class super-user
        set system services netconf ssh
        set snmp community public authorization read-only
        set interfaces ge-0/0/0 description "to core8"
        set groups re0 system host-name core7-re0
        set groups re1 system host-name core7-re1
        set apply-groups re0
        set apply-groups re1
      platform:
        timing: {resolution: 11, fpc_boot: 70, backup_sync_switchover: 200}
        chassis_serial: S58432-LAB
        modules:
          - {name: Midplane, version: REV 04, part_number: 710-002726, serial_number: AX9999,
             description: T640 Backplane}
          - {name: Routing Engine 0, version: REV 04, part_number: 740-005022,
             serial_number: P1600A001, description: RE-1600}
          - {name: Routing Engine 1, version: REV 04, part_number: 740-005022,
             serial_number: P1600A002, description: RE-1600}
          - {name: CB 0, version: REV 06, part_number: 710-002728, serial_number: HE3614,
             description: T640 Control Board}
          - {name: FPC 0, version: REV 01, part_number: 710-002385, serial_number: HE3009,
             description: FPC Type 2,
             modules: [{name: CPU, version: REV 06, part_number: 710-001726,
                        serial_number: HB1916, description: FPC CPU}]}
          - {name: FPC 3, version: REV 01, part_number: 710-002385, serial_number: HE3012,
             description: FPC Type 2}
"""

LAB = """
testbed: {{name: lab-under-test}}
routers:
  core7:
    platform: T640
    emulated: false
    allow_disruptive: true
    re0: {{host: 127.0.0.1, port: {re0}}}
    re1: {{host: 127.0.0.1, port: {re1}}}
    master_only: {{host: 127.0.0.1, port: {master}}}
    credentials: {{username: lab, password: lab123}}
    host_keys: {{policy: ignore}}
    timeouts: {{connect: 5, rpc: 10}}
"""


@dataclass(frozen=True)
class Lab:
    """The router posing as a lab router: its lab testbed, its server and endpoints."""

    testbed: Path
    server: EmulatorServer
    endpoints: dict[str, Endpoint]

    @property
    def model(self) -> RouterModel:
        model = self.server.routers[0].model
        assert model is not None
        return model

    def netconf(self, re_name: str) -> Netconf:
        ep = self.endpoints[re_name]
        return Netconf(ep.host, ep.port, "lab", "lab123")

    def control(self, tag: str, body: str = "") -> None:
        """Send the emulator's control RPC ``tag`` (the outer test's door, not the clone's)."""
        ep = self.endpoints[CONTROL]
        session = Netconf(ep.host, ep.port, "re-control", "re-control")
        try:
            session.rpc(f"<{tag} xmlns='{CONTROL_NS}'>{body}</{tag}>")
        finally:
            session.close()

    def source_spec(self) -> RouterSpec:
        """Return the router as the emulator serves it (with its control user), at its ports."""
        spec = parse_testbed(yaml.safe_load(SOURCE), "source").router("core7")
        return dataclasses.replace(spec, endpoints={n: self.endpoints[n] for n in ("re0", "re1")},
                                   master_only=self.endpoints["master"])

    def spec(self) -> RouterSpec:
        return load_testbed(self.testbed).router("core7")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    spec = parse_testbed(yaml.safe_load(SOURCE), "source").router("core7")
    server = EmulatorServer([router_entry(spec)])
    eps = {ep.re: Endpoint(ep.host, ep.port) for ep in server.start()}
    path = tmp_path / "lab.yaml"
    path.write_text(LAB.format(re0=eps["re0"].port, re1=eps["re1"].port,
                               master=eps["master"].port))
    try:
        yield Lab(path, server, eps)
    finally:
        server.stop()
    assert not server.take_errors()


def served_spec(testbed: Path, endpoints: list[tuple[str, str, str, int]]) -> RouterSpec:
    """Return the clone's router with the endpoints ``re-emulator serve`` printed."""
    spec = load_testbed(testbed).router("core7")
    eps = {re: Endpoint(host, port) for router, re, host, port in endpoints
           if router == "core7" and re in spec.endpoints}
    return dataclasses.replace(spec, endpoints=eps)


def test_served_clone_answers_the_fixed_rpc_set_as_the_original(lab: Lab, tmp_path: Path
                                                                 ) -> None:
    result = clone_router(lab.testbed, "core7", tmp_path / "clone")
    original = read_checks(lab.spec())
    # Not vacuous: the facts that make this router itself are in what is compared.
    joined = "\n".join(line for lines in original.values() for line in lines)
    for fact in ("product-model = t640", "JUNOS Base OS boot [10.4R9.2]", "= S58432-LAB",
                 "serial-number = P1600A002", "[name=FPC 3]", "host-name core7-re1;",
                 "description \"to core8\";", "event = E_CFG_M"):
        assert fact in joined, fact
    with serving(result.testbed) as endpoints:
        clone = read_checks(served_spec(result.testbed, endpoints))
    assert compare(original, clone) == []
    assert len(clone) == len(original) == 11
    # ... and the comparison tells routers apart: the default MX480 answers otherwise (its
    # mastership log, written at the same virtual epoch, is the same).
    other_spec = load_testbed(default_testbed_path()).router("r1")
    other = EmulatorServer([router_entry(other_spec)])
    eps = {ep.re: Endpoint(ep.host, ep.port) for ep in other.start()}
    try:
        differences = compare(original, read_checks(dataclasses.replace(
            other_spec, endpoints={n: eps[n] for n in ("re0", "re1")})))
    finally:
        other.stop()
    assert {d.split(" ", 1)[0].split("@")[0] for d in differences} >= {
        "re-status", "versions", "inventory", "configuration", "fpc"}


def test_the_clone_files_and_report(lab: Lab, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "clone"
    status = app_main(["clone", "--testbed", str(lab.testbed), "--router", "core7",
                       "--out", str(out)])
    printed = capsys.readouterr().out
    assert status == 0
    assert f"clone of core7 written to {out}" in printed
    testbed = yaml.safe_load((out / "testbed.yaml").read_text())
    router = testbed["routers"]["core7"]
    assert router["platform"] == "T640" and router["emulated"] is True
    emu = router["emulator"]
    assert emu["versions"] == {"re0": "10.4R9.2", "re1": "10.4R9.2"}
    assert emu["serials"] == {"re0": "P1600A001", "re1": "P1600A002"}
    assert emu["platform"]["chassis_serial"] == "S58432-LAB"
    assert [m["name"] for m in emu["platform"]["modules"]][-1] == "FPC 3"
    assert emu["state_dir"] == STATE_NAME and "master_only" in router
    assert emu["netconf_base_1_1"] is True  # the lab's hello offers base:1.1
    assert (out / STATE_NAME / "core7" / "state.json").is_file()
    report = (out / "clone-report.txt").read_text()
    assert "mastership: re0 master, as when read" in report
    assert "not carried (2):" in report and "RE start times and uptimes" in report
    assert "NETCONF hello: base:1.0 and base:1.1, as the router's" in report
    # The fixed RPC set, as a snapshot file the harness's snapshots read.
    checks = load_snapshot_file(out / "clone-checks.yaml")
    assert tuple(checks.items.values()) == CLONE_CHECKS and not checks.defaults
    assert {rule.path for rule in checks.rules} == {*MOMENT, *NOT_CARRIED}


def test_cloning_changes_nothing_on_the_lab_router(lab: Lab, tmp_path: Path) -> None:
    model = lab.model
    before = ({s: (db.committed_text(), len(db.history), db.lock_holder)
               for s, db in model.configs.items()},
              {s: r.log.render() for s, r in model.chassis.res.items()},
              {s: (r.state, r.start_time) for s, r in model.chassis.res.items()},
              model.clock.now(), model.chassis.pfe_resets)
    clone_router(lab.testbed, "core7", tmp_path / "clone")
    after = ({s: (db.committed_text(), len(db.history), db.lock_holder)
              for s, db in model.configs.items()},
             {s: r.log.render() for s, r in model.chassis.res.items()},
             {s: (r.state, r.start_time) for s, r in model.chassis.res.items()},
             model.clock.now(), model.chassis.pfe_resets)
    assert after == before


def test_a_clone_after_a_switchover_and_a_commit_keeps_both_and_says_who_was_master(
        lab: Lab, tmp_path: Path) -> None:
    """The router read after a switchover (re1 master) and a commit on re1 only (the link to
    re0 cut, so commit synchronize commits locally): the clone carries re1's own configuration
    and both logs (the switchover in them); it elects re0 at start, as its configuration says,
    and the report says so."""
    session = lab.netconf("re0")
    try:
        session.rpc(switch_rpc("switch", "no-confirm"))
    finally:
        session.close()
    lab.control("advance-clock", "<seconds>600</seconds>")  # resolution, FPCs, backup sync
    lab.control("sever-link")
    session = lab.netconf("re1")
    try:
        session.rpc("<load-configuration action='merge' format='text'><configuration-text>"
                    "system { location { building north; } }</configuration-text>"
                    "</load-configuration>")
        session.rpc("<commit-configuration/>")
    finally:
        session.close()
        lab.control("restore-link")
    result = clone_router(lab.testbed, "core7", tmp_path / "clone")
    report = result.report.read_text()
    assert ("mastership: re1 was master when the router was read; the clone elects re0 at "
            "start") in report
    original = read_checks(lab.spec())
    assert "building north" in "\n".join(original["configuration@re1"])
    assert "building north" not in "\n".join(original["configuration@re0"])
    with serving(result.testbed) as endpoints:
        clone = read_checks(served_spec(result.testbed, endpoints))
    differing = {d.split(" ", 1)[0] for d in compare(original, clone)}
    # Only what the roles decide differs: who is master and who answers as backup.
    assert differing <= {"re-status@re0", "re-status@re1", "switchover@backup",
                         "inventory@master", "fpc@master"}
    for key in ("configuration@re0", "configuration@re1", "mastership-log@re0",
                "mastership-log@re1", "versions@re0", "versions@re1"):
        assert clone[key] == original[key], key
    assert any("E_CMD_S" in line for line in clone["mastership-log@re0"])


def test_pytest_suites_pass_against_the_clone(lab: Lab, tmp_path: Path) -> None:
    result = clone_router(lab.testbed, "core7", tmp_path / "clone")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider",
         "--testbed", str(result.testbed)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    tail = "\n".join(run.stdout.splitlines()[-15:])
    assert run.returncode == 0, tail
    assert " passed" in tail and "skipped" not in tail and "failed" not in tail, tail


def test_an_emulated_router_is_not_cloned(tmp_path: Path) -> None:
    with pytest.raises(CloneError, match="re-emulator clone reads a live router"):
        clone_router(default_testbed_path(), "r1", tmp_path / "clone")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_re_that_does_not_answer_is_said_and_the_other_is_cloned(lab: Lab, tmp_path: Path
                                                                     ) -> None:
    text = lab.testbed.read_text().replace(f"port: {lab.endpoints['re1'].port}}}",
                                           f"port: {_closed_port()}}}")
    lab.testbed.write_text(text)
    result = clone_router(lab.testbed, "core7", tmp_path / "clone")
    report = result.report.read_text()
    assert "re1: 127.0.0.1:" in report and "cannot log in as 'lab'" in report
    assert "re1 configuration: not read" in report and "re1 mastership log: not read" in report
    emu = yaml.safe_load(result.testbed.read_text())["routers"]["core7"]["emulator"]
    # re1's model and serial came from re0's view of the chassis; its version it alone knows.
    assert emu["versions"] == {"re0": "10.4R9.2"} and emu["serials"]["re1"] == "P1600A002"
    assert "re1 Junos version: not read; the clone shows the catalogue's" in report


def test_a_login_the_router_refuses_clones_nothing(lab: Lab, tmp_path: Path) -> None:
    lab.testbed.write_text(lab.testbed.read_text().replace("password: lab123",
                                                           "password: wrong"))
    with pytest.raises(CloneError, match=r"core7: no Routing Engine could be read: re0: "
                                         r"127\.0\.0\.1:\d+: cannot log in as 'lab'"):
        clone_router(lab.testbed, "core7", tmp_path / "clone")
    assert not (tmp_path / "clone").exists()


def _switch_and_reboot(router: DualRERouter) -> list[OperationResult]:
    """A lab run's HA operations: a switchover to the redundant end state, then a reboot of
    the new backup."""
    router.consent.run_allows = True  # as --allow-disruptive
    return [router.switchover("switch", until="redundant"), router.reboot("re0")]


def test_the_timing_a_lab_run_measured_is_the_clones(lab: Lab, tmp_path: Path) -> None:
    """A lab run switches the router over and reboots an RE (its timing is its own: mastership
    resolution 11 s, FPCs 70 s, backup sync 200 s, boot 95 s; the T640's are 7, 120, 300, 300)
    and writes its report; the clone made with that report dir switches over and reboots in the
    times the lab run measured, as the harness measures them on the clone (to its polls: 1 s for
    the control plane, 5 s for the backup and a reboot; the data plane from the FPCs' own
    up-times)."""
    keeper = DualRERouter(lab.source_spec(), control=lab.endpoints[CONTROL])
    on_lab = DualRERouter(lab.spec(), lab_clock=EmulatedClock(keeper.control_rpc))
    try:
        measured = _switch_and_reboot(on_lab)
    finally:
        on_lab.close()
        keeper.close()
    switch, boot = measured[0].phases, measured[1].phases
    assert switch.control_plane is not None and 11 <= switch.control_plane <= 12
    assert switch.data_plane is not None and switch.data_plane > 70
    recorder = Recorder("lab-under-test")
    recorder.add_router("core7", platform="T640", lab=True)
    for result in measured:
        recorder.record_operation("core7", result)
    store.write_json(recorder, tmp_path / "run" / report_run.JSON_NAME)
    result = clone_router(lab.testbed, "core7", tmp_path / "clone", tmp_path / "run")
    emu = yaml.safe_load(result.testbed.read_text())["routers"]["core7"]["emulator"]
    assert emu["boot_time"] == boot.control_plane
    timing = emu["platform"]["timing"]
    assert timing == {"resolution": switch.control_plane, "fpc_boot": 70.0}
    assert "timing.backup_sync_switchover: not measured" in result.report.read_text()
    clone_spec = load_testbed(result.testbed).router("core7")
    server = EmulatorServer([router_entry(clone_spec)])
    eps = {ep.re: Endpoint(ep.host, ep.port) for ep in server.start()}
    served = dataclasses.replace(clone_spec, endpoints={n: eps[n] for n in ("re0", "re1")},
                                 master_only=eps["master"])
    clone = DualRERouter(served, control=eps[CONTROL])
    try:
        again = _switch_and_reboot(clone)
    finally:
        clone.close()
        server.stop()
    for name, slack in (("control_plane", 1.0), ("data_plane", 1.0), ("backup_ready", 5.0)):
        lab_value, clone_value = getattr(switch, name), getattr(again[0].phases, name)
        assert clone_value is not None and abs(clone_value - lab_value) <= slack, (
            name, lab_value, clone_value)
    assert boot.control_plane is not None and again[1].phases.control_plane is not None
    assert abs(again[1].phases.control_plane - boot.control_plane) <= 5.0
