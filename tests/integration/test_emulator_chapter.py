"""The chapter, statement by statement (docs/emulator-model.md section 13): the statements no
other conformance test proves, over NETCONF, with time and faults through control RPCs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from emulator.model.router import RouterParams
from tests.integration.test_emulator_lab import Lab, lab, make_lab, switch_rpc

__all__ = ["lab"]

PRIVATE = ("<get-interface-information><terse/><routing-instance>__juniper_private1__"
           "</routing-instance></get-interface-information>")
GROUPS = ("set groups re0 interfaces fxp0 unit 0 family inet address 10.0.0.1/24\n"
          "set groups re1 interfaces fxp0 unit 0 family inet address 10.0.0.2/24\n"
          "set groups re0 system backup-router 10.0.0.254\n"
          "set groups re1 system backup-router 10.0.0.253\n"
          "set groups re0 routing-options static route 192.168.0.0/16 next-hop 10.0.0.254\n"
          "set groups re1 routing-options static route 192.168.0.0/16 next-hop 10.0.0.253\n"
          "set apply-groups [ re0 re1 ]")
#: The MX480's mastership resolution time without graceful switchover (catalogue timing).
RESOLUTION = 4


@pytest.fixture
def served() -> Iterator[Callable[..., Lab]]:
    labs: list[Lab] = []

    def build(**params: object) -> Lab:
        built = make_lab(RouterParams(name="r1", **params))  # type: ignore[arg-type]
        labs.append(built)
        return built

    yield build
    for built in labs:
        built.server.stop()


# ------------------------------------------------------- redundancy on each platform
@pytest.mark.parametrize(("platform", "companion"), [
    ("M10i", "HCM slot"), ("M20", "SSB slot"), ("M40e", "MCS"), ("M160", "MCS"),
    ("M320", "CB"), ("T320", "CB"), ("T640", "CB")])
def test_each_platform_pairs_two_res_with_their_companions(
        served: Callable[..., Lab], platform: str, companion: str) -> None:
    """M10i: RE + HCM; M20: RE + SSB; M40e/M160 host modules: RE + MCS; M320/T320/T640 host
    subsystems: RE + Control Board; two of each, one master and one backup."""
    lab = served(platform=platform)
    names = {m.findtext("name") for m in lab.rpc("re0", "<get-chassis-inventory/>")
             .iter("chassis-module")}
    assert {"Routing Engine 0", "Routing Engine 1", f"{companion} 0", f"{companion} 1"} <= names
    states = {slot: e.findtext("mastership-state") for slot, e in
              lab.route_engines("re1").items()}
    assert states == {"0": "master", "1": "backup"}


@pytest.mark.parametrize(("platform", "re_model", "interfaces"), [
    ("M10i", None, ["fxp1"]), ("M20", None, ["fxp1"]), ("M40e", None, ["fxp1", "fxp2"]),
    ("M160", None, ["fxp1", "fxp2"]), ("M320", None, ["em0", "bcm0"]),
    ("T320", None, ["fxp1", "fxp2"]), ("T640", None, ["fxp1", "fxp2"]),
    ("T640", "RE-1600", ["em0", "bcm0"])])
def test_keepalive_interfaces_of_each_redundancy_connection(
        served: Callable[..., Lab], platform: str, re_model: str | None,
        interfaces: list[str]) -> None:
    """The keepalive path of each "Redundancy Connection" figure, seen in the internal
    instance; severing it takes those interfaces down."""
    models = {0: re_model, 1: re_model} if re_model else {}
    lab = served(platform=platform, re_models=models)

    def links() -> dict[str, str]:
        return {str(p.findtext("name")): str(p.findtext("oper-status"))
                for p in lab.rpc("re1", PRIVATE).iter("physical-interface")}

    assert links() == dict.fromkeys(interfaces, "up")
    lab.control("sever-link")
    assert links() == dict.fromkeys(interfaces, "down")


CHAPTER_M320_ROWS = [  # "Display the Router Hardware": item, version, part number, description
    ("Midplane", "REV 05", "710-009120", "M320 Midplane"),
    ("FPM GBUS", "REV 04", "710-005928", "M320 Board"),
    ("FPM Display", "REV 05", "710-009351", "M320 FPM Display"),
    ("CIP", "REV 04", "710-005926", "M320 CIP"),
    *[(f"PEM {i}", "Rev 03", "740-009148", "DC Power Entry Module") for i in range(4)],
    *[(f"Routing Engine {i}", "REV 05", "740-008883", "RE-4.0") for i in range(2)],
    *[(f"CB {i}", "REV 07", "710-009115", "M320 Control Board") for i in range(2)],
]


def test_the_chapters_m320_hardware_rows(served: Callable[..., Lab]) -> None:
    """The chapter's sample rows in order, with this router's own serials in the sample's
    shapes (five digits for the chassis, P1 and ten digits for an RE, two letters and four
    digits for a board)."""
    text = served(platform="M320").command("re0", "show chassis hardware")
    lines = text.splitlines()
    assert lines[:2] == ["Hardware inventory:",
                         "Item             Version  Part number  Serial number     Description"]
    assert re.fullmatch(r"Chassis {32}\d{5} +M320", lines[2])
    for line, (item, version, part, desc) in zip(lines[3:], CHAPTER_M320_ROWS, strict=False):
        assert line.startswith(f"{item:<17}{version:<9}{part:<13}"), line
        assert line.endswith(desc)
        serial = line[39:57].strip()
        shape = r"P1\d{10}" if item.startswith("Routing") else r"[A-Z]{2}\d{4,5}"
        assert re.fullmatch(shape, serial), line


# ------------------------------------------------------- failover and manual switching
def test_the_chapters_interface_control_failover(lab: Lab) -> None:
    """``set interface-control failover other-routing-engine`` at ``[edit system processes]``:
    a failure of the interface control daemon (dcd) moves mastership to the backup."""
    lab.control("kill-process", re="re0", name="dcd")
    assert lab.states() == {"re0": "master", "re1": "backup"}  # not configured: restarted
    lab.configure("re0", "set system processes interface-control failover "
                         "other-routing-engine")
    lab.control("kill-process", re="re0", name="dcd")
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "backup", "re1": "master"}


def test_with_the_connection_broken_the_backup_takes_mastership_on_command(lab: Lab) -> None:
    """"If the connection is broken, you can switch mastership by entering the switchover
    command": the claim cannot reach the master, times out (E_MAXTRY) and the backup takes
    over."""
    lab.control("sever-link")
    mark = lab.log_length("re1")
    lab.rpc("re1", switch_rpc("acquire", "no-confirm"))
    assert lab.states()["re1"] == "claim"
    lab.advance(30)
    assert lab.states()["re1"] == "master"
    assert lab.events("re1", mark)[0] == "E_CMD_A" and "E_MAXTRY" in lab.events("re1", mark)


@pytest.mark.parametrize(("platform", "plane"), [("M160", "SFM 0 SPP"), ("M320", "SIB 0")])
def test_a_new_master_resets_the_switch_plane(served: Callable[..., Lab], platform: str,
                                              plane: str) -> None:
    """"Once a Routing Engine becomes master, it resets the switch plane (SSB, SCB, and SFM)
    and downloads ... the microkernel to the Packet Forwarding Engine components": the new
    master's ``show chassis environment`` shows the switch plane offline with the FPCs, then
    back; before the switchover it was up."""
    lab = served(platform=platform)

    def status(re_name: str, board: str) -> set[str]:
        """Return the statuses of ``board``'s sensors (``SIB 0``, ``SIB 0 Intake``...)."""
        reply = lab.rpc(re_name, "<get-environment-information/>")
        return {str(i.findtext("status")) for i in reply.iter("environment-item")
                if str(i.findtext("name")).startswith(board)}

    assert status("re0", plane) == status("re0", "FPC 0 ") == {"OK"}
    lab.rpc("re0", switch_rpc("switch", "no-confirm"))
    lab.advance(10)  # past the resolution of either platform, before the FPCs are back
    assert status("re1", plane) == status("re1", "FPC 0") == {"Offline"}
    lab.advance(600)
    assert status("re1", plane) == status("re1", "FPC 0 ") == {"OK"}


def test_keepalive_failover_waits_the_default_300_seconds(lab: Lab) -> None:
    """"The default time before failover will occur is set to 300 seconds": with only
    ``failover on-loss-of-keepalives`` configured, the backup is still backup 299 s after the
    link is cut and claims at 300 s."""
    lab.configure("re0", "set chassis redundancy failover on-loss-of-keepalives")
    assert "keepalive-time" not in lab.config_text("re1")
    lab.control("sever-link")
    lab.advance(299)
    assert lab.states()["re1"] == "backup"
    lab.advance(1)
    assert lab.states()["re1"] == "claim"
    lab.advance(RESOLUTION)
    assert lab.states()["re1"] == "master"


# ------------------------------------------------------- routing tables
def _routes(lab: Lab, re_name: str) -> dict[str, tuple[str, int]]:
    """Return ``show route`` of ``re_name`` as {destination: (protocol, age seconds)}."""
    reply = lab.rpc(re_name, "<get-route-information/>")
    return {str(rt.findtext("rt-destination")): (
        str(rt.findtext("rt-entry/protocol-name")),
        int(next(v for k, v in rt.find("rt-entry/age").attrib.items()
                 if k.endswith("seconds"))))
        for rt in reply.iter("rt")}


def test_the_master_maintains_routing_tables_the_backup_none(served: Callable[..., Lab]) -> None:
    """Master: "builds and maintains routing tables"; backup: "does not maintain routing
    tables" (no rpd there: Junos's "the routing subsystem is not running")."""
    lab = served(config=GROUPS)
    routes = _routes(lab, "re0")
    assert {d: p for d, (p, _) in routes.items()} == {
        "10.0.0.0/24": "Direct", "10.0.0.1/32": "Local", "192.168.0.0/16": "Static"}
    assert "192.168.0.0/16     *[Static/5]" in lab.command("re0", "show route")
    assert lab.error("re1", "<get-route-information/>") == "the routing subsystem is not running"


def test_the_new_master_populates_its_routing_table(served: Callable[..., Lab]) -> None:
    """After a switchover the new master builds the table anew (young routes, its own group's
    static route and fxp0 address); the old master keeps none."""
    lab = served(config=GROUPS)
    assert min(age for _, age in _routes(lab, "re0").values()) > 86400
    lab.rpc("re0", switch_rpc("switch", "no-confirm"))
    lab.advance(RESOLUTION + 10)
    routes = _routes(lab, "re1")
    assert set(routes) == {"10.0.0.0/24", "10.0.0.2/32", "192.168.0.0/16"}
    assert max(age for _, age in routes.values()) == 10
    assert "to 10.0.0.253 via fxp0.0" in lab.command("re1", "show route")
    assert lab.error("re0", "<get-route-information/>") == "the routing subsystem is not running"


def test_nonstop_routing_runs_rpd_on_the_backup_too(served: Callable[..., Lab]) -> None:
    lab = served(config="set chassis redundancy graceful-switchover\n"
                        "set routing-options nonstop-routing\nset system commit synchronize\n"
                        + GROUPS)
    assert "10.0.0.2/32" in _routes(lab, "re1")


def test_each_res_group_carries_its_backup_router_and_static_routes(
        served: Callable[..., Lab]) -> None:
    """"the group also should contain the configuration for the backup router and static
    routes": each RE applies its own group's (the configuration it runs, inherit)."""
    lab = served(config=GROUPS)
    for re_name, gateway in (("re0", "10.0.0.254"), ("re1", "10.0.0.253")):
        reply = lab.rpc(re_name, '<get-configuration database="committed" inherit="inherit"/>')
        assert reply.findtext(".//system/backup-router/address") == gateway
        assert reply.findtext(".//routing-options/static/route/next-hop") == gateway


# ------------------------------------------------------- configured roles
def test_the_chapters_role_configuration_takes_effect_at_the_next_boot(lab: Lab) -> None:
    """The chapter's action "to configure RE1 to be the default master": ``routing-engine 1
    master`` and ``routing-engine 0 backup``, committed (synchronized, as the chapter advises:
    each RE checks only its own configuration); the running state follows at the next
    "mastership election upon system boot": the sample shows Slot 0 Backup, Slot 1 Master."""
    lab.configure("re0", "set chassis redundancy routing-engine 1 master")
    lab.configure("re1", "set chassis redundancy routing-engine 0 backup")
    assert lab.states() == {"re0": "master", "re1": "backup"}
    lab.rpc("re0", "<request-reboot><both-routing-engines/></request-reboot>")
    lab.advance(400)
    assert lab.states() == {"re0": "backup", "re1": "master"}
    text = lab.command("re1", "show chassis routing-engine")
    assert re.search(r"Slot 0:\n +Current state +Backup\n", text)
    assert re.search(r"Slot 1:\n +Current state +Master\n +Election priority +Master\n", text)


def test_a_disabled_re_is_managed_talks_to_the_master_and_stays_out_of_the_election(
        lab: Lab) -> None:
    """Disabled: "full management access", "can communicate with the master Routing Engine",
    "does not participate in a mastership election": after a reboot of both it is still
    disabled, and nothing it is asked moves mastership."""
    lab.configure("re0", "set chassis redundancy routing-engine 1 disabled")
    assert "Current state" in lab.command("re1", "show chassis routing-engine")
    lab.rpc("re1", "<file-copy><source>/var/tmp/sampled.pkts</source>"
                   "<destination>re0:/var/tmp/from-re1</destination></file-copy>")
    assert "from-re1" in lab.command("re0", "file list /var/tmp/")
    lab.rpc("re0", "<request-reboot><both-routing-engines/></request-reboot>")
    lab.advance(400)
    assert lab.states() == {"re0": "master", "re1": "disabled"}
    assert lab.error("re1", switch_rpc("acquire", "no-confirm")) == (
        "Routing engine is disabled, mastership switch not allowed")


# ------------------------------------------------------- configuration per RE
def test_each_re_checks_only_its_own_configuration(lab: Lab) -> None:
    """"Each Routing Engine only checks its own configuration": RE0 configured backup on RE0
    alone leaves RE1 backup by its own (default) configuration: after a reboot no RE is
    master."""
    lab.configure("re0", "set chassis redundancy routing-engine 0 backup", synchronize=False)
    assert "routing-engine 0 backup" not in lab.config_text("re1")
    lab.rpc("re0", "<request-reboot><both-routing-engines/></request-reboot>")
    lab.advance(400)
    assert lab.states() == {"re0": "backup", "re1": "backup"}


def test_commit_synchronize_copies_and_load_overrides_on_the_other_re(lab: Lab) -> None:
    """"the configuration file is copied to the other Routing Engine, followed by a load
    override and a commit": what only RE1 had is gone, both committed alike."""
    lab.configure("re1", "set system location building b1", synchronize=False)
    assert "building b1" in lab.config_text("re1")
    lab.configure("re0", "set system domain-name lab.example")
    body0, body1 = (lab.config_text(n).split("\n", 1)[1] for n in ("re0", "re1"))
    assert body0 == body1 and "lab.example" in body1 and "b1" not in body1

