"""Chapter "Determining Routing Engine Mastership" and "Manually Switching Routing Engine
Mastership", over NETCONF: roles, election, acquire / release / switch, hold-down, LEDs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.model.router import RouterParams
from tests.integration.test_emulator_lab import Lab, lab, make_lab, switch_rpc

__all__ = ["lab"]

ACQUIRE = switch_rpc("acquire", "no-confirm")
RELEASE = switch_rpc("release", "no-confirm")
SWITCH = switch_rpc("switch", "no-confirm")
PFE = "Traffic will be interrupted while the PFE is re-initialized"
#: The MX480's mastership resolution time without graceful switchover (catalogue timing).
RESOLUTION = 4


@pytest.fixture
def gres_lab() -> Iterator[Lab]:
    """A dual-RE MX480 with ``chassis redundancy graceful-switchover`` on both REs."""
    gres = "set chassis redundancy graceful-switchover\n"
    served = make_lab(RouterParams(name="r1", config=gres))
    try:
        yield served
    finally:
        served.server.stop()


def states_seen_from(lab: Lab, re_name: str) -> dict[str, str]:
    return {slot: str(e.findtext("mastership-state"))
            for slot, e in lab.route_engines(re_name).items()}


def test_default_roles_and_election_log(lab: Lab) -> None:
    entries = lab.route_engines("re1")
    assert entries["0"].findtext("mastership-priority") == "master (default)"
    assert entries["1"].findtext("mastership-priority") == "backup (default)"
    assert lab.events("re0")[:1] == ["E_CFG_M"]
    assert lab.events("re1")[:1] == ["E_CFG_B"]
    assert "E_ORE_B" in lab.events("re0")


def test_show_chassis_text_names_master_and_backup(lab: Lab) -> None:
    text = lab.command("re0", "show chassis routing-engine")
    assert "Slot 0:" in text and "Slot 1:" in text
    assert text.index("Master") < text.index("Backup")


def test_hardware_only_on_master(lab: Lab) -> None:
    assert lab.rpc("re0", "<get-chassis-inventory/>").find(".//chassis-inventory") is not None
    backup = lab.rpc("re1", "<get-chassis-inventory/>")
    assert "can only be used on the master routing engine" in (backup.findtext(".//output") or "")


def test_craft_interface_master_led_follows_mastership(lab: Lab) -> None:
    def lit() -> list[str]:
        reply = lab.rpc("re0", "<get-craft-information/>")
        return [str(led.findtext("slot")) for led in reply.iter("routing-engine-led")
                if led.findtext("master-led") == "on"]

    assert lit() == ["0"]
    lab.rpc("re0", SWITCH)
    assert lit() == ["0"]  # still resolving: re0 gives mastership up, re1 has not taken it
    lab.advance(RESOLUTION)
    assert lit() == ["1"]


def test_acquire_on_backup_claims_mastership(lab: Lab) -> None:
    mark0, mark1 = lab.log_length("re0"), lab.log_length("re1")
    start = lab.route_engines("re1")["1"].findtext("start-time")
    reply = lab.rpc("re1", ACQUIRE)
    assert "Complete. The local routing engine becomes the master." in (
        reply.findtext(".//output") or "")
    assert PFE in (reply.findtext(".//warning/message") or "")
    assert lab.states() == {"re0": "master", "re1": "claim"}
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "backup", "re1": "master"}
    assert lab.events("re1", mark1) == ["E_CMD_A", "E_ACK_C", "E_ACK_Y", "E_ORE_B"]
    assert lab.events("re0", mark0) == ["E_REQ_C", "E_REQ_Y", "E_ORE_M"]
    # Chapter: "the backup Routing Engine does not run through its full boot cycle".
    assert lab.route_engines("re1")["1"].findtext("start-time") == start


def test_release_on_master_gives_up_mastership(lab: Lab) -> None:
    mark0, mark1 = lab.log_length("re0"), lab.log_length("re1")
    reply = lab.rpc("re0", RELEASE)
    assert "Complete. The other routing engine becomes the master." in (
        reply.findtext(".//output") or "")
    lab.advance(RESOLUTION)
    assert lab.events("re0", mark0) == ["E_CMD_R", "E_ACK_G", "E_REQ_Y", "E_ORE_M"]
    assert lab.events("re1", mark1) == ["E_REQ_G", "E_ACK_Y", "E_ORE_B"]
    log0 = lab.log("re0").splitlines()[mark0:]
    assert any(line.endswith('send "you are the master" request') for line in log0)
    assert any(line.endswith("Currentstate: master NextState:giveup reason_code: 1")
               for line in log0)


def test_switch_without_gres_reinitialises_the_pfe(lab: Lab) -> None:
    mark0 = lab.log_length("re0")
    reply = lab.rpc("re0", SWITCH)
    lab.advance(RESOLUTION)
    assert lab.events("re0", mark0) == ["E_CMD_S", "E_ACK_G", "E_REQ_Y", "E_ORE_M"]
    assert PFE in (reply.findtext(".//warning/message") or "")
    fpcs = lab.rpc("re1", "<get-fpc-information/>")
    assert {f.findtext("state") for f in fpcs.iter("fpc")} == {"Offline"}
    lab.advance(600)
    fpcs = lab.rpc("re1", "<get-fpc-information/>")
    assert {f.findtext("state") for f in fpcs.iter("fpc")} == {"Online"}
    # The old master, now backup, no longer talks to the PFE (chapter).
    assert "can only be used on the master" in (
        lab.rpc("re0", "<get-fpc-information/>").findtext(".//output") or "")
    assert lab.control("get-state").findtext(".//pfe-resets") == "1"


def test_switch_with_gres_keeps_the_pfe(gres_lab: Lab) -> None:
    reply = gres_lab.rpc("re0", SWITCH)
    assert reply.find(".//warning") is None
    assert "Complete. The other routing engine becomes the master." in (
        reply.findtext(".//output") or "")
    gres_lab.advance(2)  # the MX480's resolution time with graceful switchover
    fpcs = gres_lab.rpc("re1", "<get-fpc-information/>")
    assert {f.findtext("state") for f in fpcs.iter("fpc")} == {"Online"}
    assert gres_lab.control("get-state").findtext(".//pfe-resets") == "0"


def test_switch_check_reports_readiness_and_changes_nothing(gres_lab: Lab) -> None:
    before = gres_lab.snapshot()
    reply = gres_lab.rpc("re0", switch_rpc("switch", "check"))
    assert reply.findtext(".//output") == "Switchover Ready"
    assert gres_lab.snapshot() == before


def test_hold_down_240_seconds_between_switchovers(lab: Lab) -> None:
    lab.rpc("re0", SWITCH)
    lab.advance(RESOLUTION)  # the hold-down counts from the mastership change
    lab.advance(19)
    before = lab.snapshot()
    message = lab.error("re1", SWITCH)
    assert message == "Command aborted. Not ready for mastership switch, try after 221 secs."
    assert lab.snapshot() == before
    lab.advance(221)
    lab.rpc("re1", SWITCH)
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "master", "re1": "backup"}


def test_force_acquire_logs_e_cmd_f(lab: Lab) -> None:
    mark = lab.log_length("re1")
    lab.rpc("re1", "<request-chassis-routing-engine-acquire><no-confirm/><force/>"
                   "</request-chassis-routing-engine-acquire>")
    assert lab.events("re1", mark)[0] == "E_CMD_F"
    assert lab.states() == {"re0": "backup", "re1": "master"}


def test_release_with_unreachable_backup_tells_the_chapter_story(lab: Lab) -> None:
    lab.control("sever-link")
    lab.advance(60)
    mark = lab.log_length("re0")
    reply = lab.rpc("re0", RELEASE)
    assert (reply.findtext(".//output") or "").startswith("Resolving mastership...")
    assert lab.states()["re0"] == "giveup"
    lab.advance(30)
    assert lab.states() == {"re0": "master", "re1": "backup"}
    assert lab.events("re0", mark) == ["E_CMD_R"] + ["E_TMOUT"] * 7 + ["E_MAXTRY"]
    texts = [line[16:] for line in lab.log("re0").splitlines()]
    assert "failed to receive keepalives from other RE for the last 60 sec" in texts
    assert any(t.startswith("failed to send RE info/keepalive: errno=") for t in texts)
    assert texts.count("Failed to send RE mastership cmd. err = 65") == 8
    maxtry = texts.index("event = E_MAXTRY, state = giveup, param = 0x0")
    assert texts[maxtry + 1] == "Currentstate: giveup NextState:master reason_code: 1"
    assert texts[maxtry + 3] == "new state = master"


@pytest.mark.parametrize(("re_name", "rpc", "message"), [
    ("re0", ACQUIRE, "Routing Engine is already master"),
    ("re1", RELEASE, "Routing Engine is not master, cannot release mastership"),
    ("re0", "<get-route-engine-information><slot>2</slot></get-route-engine-information>",
     "invalid routing engine slot 2"),
])
def test_bad_requests_are_refused_and_change_nothing(lab: Lab, re_name: str, rpc: str,
                                                     message: str) -> None:
    before = lab.snapshot()
    assert lab.error(re_name, rpc) == message
    assert lab.snapshot() == before


def test_release_with_backup_not_running_is_refused(lab: Lab) -> None:
    lab.control("halt-re", re="re1")
    before = lab.snapshot()
    assert lab.error("re0", RELEASE) == "Backup RE not running"
    assert lab.snapshot() == before


def test_switch_check_without_gres(lab: Lab) -> None:
    reply = lab.rpc("re0", switch_rpc("switch", "check"))
    assert reply.findtext(".//output") == "Switchover Ready (no graceful-switchover)"
    assert lab.states() == {"re0": "master", "re1": "backup"}
