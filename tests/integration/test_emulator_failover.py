"""Chapter "Configuring the Backup Routing Engine to Assume Mastership on Failure of Keepalives",
"Manually Configuring Master and Backup Routing Engines" (election) and "Determining Why
Mastership Switched" (pulled RE, kernel crash, critical process), over NETCONF."""

from __future__ import annotations

import pytest

from tests.integration.test_emulator_lab import Lab, RpcFailedError, lab, switch_rpc

__all__ = ["lab"]

FAILOVER = ("set chassis redundancy failover on-loss-of-keepalives\n"
            "set chassis redundancy keepalive-time 300")
SWITCH = switch_rpc("switch", "no-confirm")
#: The MX480's mastership resolution time without graceful switchover (catalogue timing).
RESOLUTION = 4


def loss_lines(lab: Lab, re_name: str) -> list[str]:
    return [line[16:] for line in lab.log(re_name).splitlines()
            if "failed to receive keepalives" in line]


def test_keepalive_failover_after_300_s_and_mastership_kept(lab: Lab) -> None:
    lab.configure("re0", FAILOVER)
    lab.control("sever-link")
    lab.advance(299)
    assert lab.states() == {"re0": "master", "re1": "backup"}
    # Chapter: "Every 20 seconds of keepalive loss, a message is added".
    assert loss_lines(lab, "re1") == [
        f"failed to receive keepalives from other RE for the last {n} sec"
        for n in range(20, 300, 20)]
    mark1 = lab.log_length("re1")
    lab.advance(1)
    assert lab.states() == {"re0": "master", "re1": "claim"}
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "master", "re1": "master"}
    assert lab.events("re1", mark1) == ["E_NO_IPC"]
    texts = [line[16:] for line in lab.log("re1").splitlines()[mark1:]]
    assert texts.index("new state = claim") < texts.index("new state = master")
    mark0 = lab.log_length("re0")
    lab.control("restore-link")
    # Chapter: the backup that claimed "continues to be master even after the other Routing
    # Engine configured as master has successfully resumed operation".
    assert lab.states() == {"re0": "backup", "re1": "master"}
    assert lab.events("re0", mark0) == ["E_NAK_Y", "E_ORE_M"]
    assert lab.events("re1", mark1)[-2:] == ["E_REQ_Y", "E_ORE_B"]


def test_no_failover_without_the_statement(lab: Lab) -> None:
    lab.control("sever-link")
    lab.advance(3600)
    assert lab.states() == {"re0": "master", "re1": "backup"}
    assert len(loss_lines(lab, "re1")) == 180


def test_keepalive_time_out_of_range_is_refused_at_load(lab: Lab) -> None:
    """The schema's range (chapter: 2 to 10,000 seconds) refuses the value when it is
    loaded, with Junos's wording; nothing reaches a commit."""
    before = lab.snapshot()
    with pytest.raises(RpcFailedError) as failed:
        lab.configure("re0", "set chassis redundancy keepalive-time 1")
    assert failed.value.errors[0][1] == "Value 1 is not within range (2..10000)"
    assert lab.snapshot() == before


def test_both_configured_master_first_up_wins_other_refused(lab: Lab) -> None:
    lab.configure("re0", "set chassis redundancy routing-engine 0 master\n"
                         "set chassis redundancy routing-engine 1 master")
    # re1 now configured master: its own commit logs E_CFG_M, mastership does not move.
    assert lab.events("re1")[-1] == "E_CFG_M"
    assert lab.states() == {"re0": "master", "re1": "backup"}
    mark0 = lab.log_length("re0")
    lab.rpc("re0", "<request-reboot><other-routing-engine/></request-reboot>")
    lab.advance(181)  # the election at boot is part of the boot time
    assert lab.states() == {"re0": "master", "re1": "backup"}
    # re1 came up second, claimed, and re0 refused the claim (chapter).
    assert lab.events("re1")[-2:] == ["E_CFG_M", "E_NAK_C"]
    assert lab.events("re0", mark0) == ["E_NO_IPC", "E_REQ_C"]


def test_both_configured_backup_no_master_until_keepalive_failover(lab: Lab) -> None:
    lab.configure("re0", "set chassis redundancy routing-engine 0 backup\n"
                         "set chassis redundancy routing-engine 1 backup\n" + FAILOVER)
    assert lab.events("re0")[-1] == "E_CFG_B"
    lab.rpc("re0", "<request-reboot><both-routing-engines/></request-reboot>")
    lab.advance(200)
    assert lab.states() == {"re0": "backup", "re1": "backup"}
    lab.control("sever-link")
    lab.advance(300)
    # Chapter: the timeout "will force one of the Routing Engines to become the master":
    # both claim at the same second; the first claim wins, the other is refused.
    assert lab.states() == {"re0": "claim", "re1": "backup"}
    assert lab.events("re1")[-2:] == ["E_NO_IPC", "E_NAK_C"]
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "master", "re1": "backup"}
    lab.advance(3600)
    assert lab.states() == {"re0": "master", "re1": "backup"}


def test_disabled_re_takes_no_part_and_refuses_switch(lab: Lab) -> None:
    lab.configure("re0", "set chassis redundancy routing-engine 1 disabled")
    assert lab.states() == {"re0": "master", "re1": "disabled"}
    assert lab.events("re1")[-1] == "E_CFG_D"
    assert lab.events("re0")[-1] == "E_ORE_D"
    entries = lab.route_engines("re0")
    assert entries["1"].findtext("mastership-state") == "disabled"
    before = lab.snapshot()
    assert lab.error("re1", SWITCH) == "Routing engine is disabled, mastership switch not allowed"
    assert lab.error("re0", SWITCH) == "Routing engine is disabled, mastership switch not allowed"
    assert lab.snapshot() == before
    lab.configure("re0", "set chassis redundancy routing-engine 1 backup")
    assert lab.states() == {"re0": "master", "re1": "backup"}
    assert lab.events("re1")[-1] == "E_CFG_B"


def test_pulled_master_backup_takes_over(lab: Lab) -> None:
    lab.control("pull-re", re="re0")
    assert lab.states() == {"re0": "absent", "re1": "claim"}
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "absent", "re1": "master"}
    assert lab.events("re1")[-1] == "E_NO_ORE"
    lab.control("insert-re", re="re0")
    lab.advance(180 + RESOLUTION)
    assert lab.states() == {"re0": "backup", "re1": "master"}
    assert lab.route_engines("re1")["0"].findtext("last-reboot-reason") == (
        "0x1:power cycle/failure")


def test_kernel_crash_of_master_fails_over(lab: Lab) -> None:
    lab.control("crash-re", re="re0")
    assert lab.states() == {"re0": "booting", "re1": "claim"}
    assert lab.events("re1")[-1] == "E_NO_IPC"
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "booting", "re1": "master"}
    lab.advance(180 + RESOLUTION)
    assert lab.states() == {"re0": "backup", "re1": "master"}
    # re0 came back configured master, claimed, and was refused: re1 keeps mastership.
    assert "E_NAK_C" in lab.events("re0")


def test_critical_process_failover_only_when_configured(lab: Lab) -> None:
    lab.control("kill-process", re="re0", name="rpd")
    assert lab.states() == {"re0": "master", "re1": "backup"}
    lab.configure("re0", "set system processes routing failover other-routing-engine")
    lab.control("kill-process", re="re0", name="rpd")
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "backup", "re1": "master"}
    assert lab.events("re1")[-3:] == ["E_REQ_G", "E_ACK_Y", "E_ORE_B"]


def test_halted_master_fails_over(lab: Lab) -> None:
    lab.rpc("re0", "<request-halt/>")
    # re0 hands over ("you are the master") and halts; re1 resolves mastership on its own.
    assert lab.states() == {"re0": "halted", "re1": "claim"}
    assert lab.events("re1")[-2:] == ["E_REQ_G", "E_NO_IPC"]
    lab.advance(RESOLUTION)
    assert lab.states() == {"re0": "halted", "re1": "master"}
