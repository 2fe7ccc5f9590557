"""Chapter "Use the Proper Shutdown Process on a Backup Routing Engine" and request system
reboot / power-on, over NETCONF: a halted RE answers nothing until powered on."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.integration.test_emulator_lab import ConnectError, Lab, lab

__all__ = ["lab"]

HALT_WARNING = ("This command will not halt the other routing-engine.\n"
                "If planning to switch off power, use the both-routing-engines option.")


def seconds(entry: etree._Element, tag: str) -> int:
    """Return the ``junos:seconds`` attribute of ``entry``'s child ``tag``."""
    child = entry.find(tag)
    assert child is not None
    return int(str(child.get("seconds")))


def test_halt_backup_warns_and_halts_only_the_local_re(lab: Lab) -> None:
    reply = lab.rpc("re1", "<request-halt/>")
    assert reply.findtext(".//warning/message") == HALT_WARNING
    status = reply.find(".//request-reboot-results/request-reboot-status")
    assert status is not None and (status.text or "").startswith("Shutdown NOW!")
    assert status.get("reboot-time") is not None
    assert lab.states() == {"re0": "master", "re1": "halted"}
    assert lab.events("re0")[-1] == "E_NO_IPC"


def test_halted_re_answers_nothing_until_powered_on(lab: Lab) -> None:
    lab.rpc("re1", "<request-halt/>")
    with pytest.raises(ConnectError):
        lab.open("re1")
    lab.advance(3600)
    with pytest.raises(ConnectError):
        lab.open("re1")
    reply = lab.rpc("re0", "<request-power-on><other-routing-engine/></request-power-on>")
    assert reply.findtext(".//output") == "Powering on re1"
    lab.advance(181)
    assert lab.states() == {"re0": "master", "re1": "backup"}
    assert lab.route_engines("re1")["1"].findtext("mastership-state") == "backup"


def test_halt_of_an_already_halted_re_is_refused(lab: Lab) -> None:
    lab.rpc("re1", "<request-halt/>")
    before = lab.snapshot()
    assert lab.error("re0", "<request-halt><other-routing-engine/></request-halt>") == (
        "Could not connect to re1 : No route to host")
    assert lab.error("control", '<halt-re xmlns="urn:re-emulator:control:1"><re>re1</re>'
                                "</halt-re>") == "re1 is not running (state halted)"
    assert lab.snapshot() == before


def test_power_on_of_a_running_re_is_refused(lab: Lab) -> None:
    before = lab.snapshot()
    assert lab.error("re0", "<request-power-on><other-routing-engine/></request-power-on>") == (
        "re1 is not halted (state backup)")
    assert lab.snapshot() == before


def test_halt_both_routing_engines(lab: Lab) -> None:
    reply = lab.rpc("re0", "<request-halt><both-routing-engines/></request-halt>")
    assert reply.find(".//warning") is None
    assert [i.findtext("re-name") for i in reply.iter("multi-routing-engine-item")] == [
        "re1", "re0"]
    assert lab.states() == {"re0": "halted", "re1": "halted"}
    for name in ("re0", "re1", "master"):
        with pytest.raises(ConnectError):
            lab.open(name)
    lab.control("power-on-re", re="re0")
    lab.control("power-on-re", re="re1")
    lab.advance(200)
    assert lab.states() == {"re0": "master", "re1": "backup"}


def test_reboot_other_re_comes_back_with_new_start_time_and_reason(lab: Lab) -> None:
    old = seconds(lab.route_engines("re0")["1"], "start-time")
    reply = lab.rpc("re0", "<request-reboot><other-routing-engine/></request-reboot>")
    assert [i.findtext("re-name") for i in reply.iter("multi-routing-engine-item")] == ["re1"]
    assert lab.states()["re1"] == "booting"
    lab.advance(181)
    new = lab.route_engines("re0")["1"]
    assert new.findtext("mastership-state") == "backup"
    assert seconds(new, "start-time") > old
    assert new.findtext("last-reboot-reason") == "Router rebooted after a normal shutdown."
    assert seconds(new, "up-time") < 60


def test_reboot_in_minutes_is_scheduled_on_the_virtual_clock(lab: Lab) -> None:
    reply = lab.rpc("re1", "<request-reboot><in>2</in></request-reboot>")
    assert (reply.findtext(".//request-reboot-status") or "").startswith("Shutdown at ")
    lab.advance(119)
    assert lab.states()["re1"] == "backup"
    lab.advance(1)
    assert lab.states()["re1"] == "booting"


def test_rebooting_the_master_fails_over_and_keeps_the_other_master(lab: Lab) -> None:
    lab.rpc("re0", "<request-reboot/>")
    assert lab.states() == {"re0": "booting", "re1": "claim"}
    lab.advance(4)  # the MX480's resolution time
    assert lab.states() == {"re0": "booting", "re1": "master"}
    lab.advance(181)
    assert lab.states() == {"re0": "backup", "re1": "master"}
