"""The chapter's remaining statements (issue 12.3) and platforms that look like themselves
(12.4), over NETCONF."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator.model.router import RouterParams
from harness.pool import RouterPool
from harness.readiness import Gate, check_readiness
from re_contract.testbed import default_testbed_path, load_testbed
from tests.integration.test_emulator_lab import Lab, lab, make_lab, switch_rpc

__all__ = ["lab"]

BOTH_BACKUP = ("set chassis redundancy routing-engine 0 backup\n"
               "set chassis redundancy routing-engine 1 backup")
GROUPS = ("set groups re0 interfaces fxp0 unit 0 family inet address 10.0.0.1/24\n"
          "set groups re1 interfaces fxp0 unit 0 family inet address 10.0.0.2/24\n"
          "set apply-groups [ re0 re1 ]")


@pytest.fixture
def served() -> Iterator[Callable[..., Lab]]:
    labs: list[Lab] = []

    def build(name: str = "r1", **params: object) -> Lab:
        lab = make_lab(RouterParams(name=name, **params))  # type: ignore[arg-type]
        labs.append(lab)
        return lab

    yield build
    for served_lab in labs:
        served_lab.server.stop()


def test_both_backup_pulling_one_re_makes_the_other_master(served: Callable[..., Lab]) -> None:
    lab = served(config=BOTH_BACKUP, boot_time=180.0)
    lab.rpc("re0", "<request-reboot><both-routing-engines/></request-reboot>")
    lab.advance(200)
    assert lab.states() == {"re0": "backup", "re1": "backup"}
    lab.control("pull-re", re="re1")
    lab.advance(10)
    assert lab.states() == {"re0": "master", "re1": "absent"}


def test_mastership_log_timestamps_and_keepalive_loss_pattern(lab: Lab) -> None:
    lab.control("sever-link")
    lab.advance(61)
    lab.rpc("re0", switch_rpc("release", "no-confirm"))
    lab.advance(30)
    texts = [line[16:] for line in lab.log("re0").splitlines()]
    # Sample: "timestamp:" only after a real change (master -> giveup, giveup -> master).
    changes = [i for i, t in enumerate(texts) if t.startswith("Currentstate:")]
    tail = [texts[i + 1].startswith("timestamp: ") for i in changes[-9:]]
    assert tail == [True] + [False] * 7 + [True]
    # Sample: the send failure follows the receive loss 5 s later, written twice, errno and
    # total cycling 22/6, 35/7, 65/7.
    sends = [t for t in texts if t.startswith("failed to send RE info/keepalive")]
    assert sends[:6] == [f"failed to send RE info/keepalive: errno={e}, total={n} in the last "
                         "20 sec" for e, n in ((22, 6), (22, 6), (35, 7), (35, 7), (65, 7),
                                               (65, 7))]
    lines = lab.log("re0").splitlines()
    first_loss = next(x for x in lines if "failed to receive keepalives" in x)
    first_send = next(x for x in lines if "failed to send RE info" in x)
    assert int(first_send[13:15]) - int(first_loss[13:15]) in (5, -55)


def test_syslog_and_ctime_day_padding() -> None:
    from emulator.model.mlog import ctime_stamp, syslog_stamp
    nov5 = 1762300800.0  # 2025-11-05 00:00:00 UTC
    assert syslog_stamp(nov5) == "Nov  5 00:00:00"
    assert ctime_stamp(nov5) == "Wed Nov  5 00:00:00 2025"


def test_commit_synchronize_needs_junos_5_1_on_both_res(served: Callable[..., Lab]) -> None:
    lab = served(platform="M20", versions={0: "5.1R1", 1: "5.0R3"})
    before = lab.snapshot()
    message = lab.error("re0", "<commit-configuration><synchronize/></commit-configuration>")
    assert "commit synchronize requires JUNOS Release 5.1 or later" in message
    assert lab.snapshot() == before
    plain = lab.rpc("re0", "<commit-configuration/>")
    assert plain.find(".//commit-success") is not None


def test_file_copy_between_res_needs_jbase_4_1(served: Callable[..., Lab]) -> None:
    lab = served(platform="M20", versions={0: "4.1R2", 1: "4.0R5"})
    message = lab.error("re0", "<file-copy><source>/var/tmp/sampled.pkts</source>"
                               "<destination>re1:/var/tmp/</destination></file-copy>")
    assert "requires jbase 4.1 or later" in message


def test_version_mismatch_reports_gres_not_ready(served: Callable[..., Lab]) -> None:
    lab = served(versions={0: "15.1F5.15", 1: "15.1F6.9"},
                 config="set chassis redundancy graceful-switchover")
    reply = lab.rpc("re1", "<get-switchover-information/>")
    assert reply.findtext(".//gresreadiness-status/output") == "Not Ready"
    assert reply.find(".//replication-state/replication-synchronizing") is not None


def test_keepalive_interfaces_go_down_when_the_link_is_severed(lab: Lab) -> None:
    def em0() -> str:
        reply = lab.rpc("re1", "<get-interface-information><terse/><routing-instance>"
                               "__juniper_private1__</routing-instance>"
                               "</get-interface-information>")
        return str(next(p.findtext("oper-status") for p in reply.iter("physical-interface")
                        if p.findtext("name") == "em0"))

    assert em0() == "up"
    lab.control("sever-link")
    assert em0() == "down"
    assert re.search(r"^em0\s+up\s+down", lab.command("re1", "show interfaces terse "
                     "routing-instance __juniper_private1__"), re.M)


def test_fxp0_address_of_each_res_group(served: Callable[..., Lab]) -> None:
    lab = served(config=GROUPS)
    for re_name, address in (("re0", "10.0.0.1/24"), ("re1", "10.0.0.2/24")):
        reply = lab.rpc(re_name, "<get-interface-information><terse/>"
                                 "<interface-name>fxp0</interface-name>"
                                 "</get-interface-information>")
        assert [a.text for a in reply.iter("ifa-local")] == [address]


# --------------------------------------------------------------------------- 12.4
def test_m_series_routing_engine_layout_is_the_chapters(served: Callable[..., Lab]) -> None:
    text = served(platform="M320").command("re0", "show chassis routing-engine")
    assert "  CPU utilization:" in text and "Serial ID" in text
    for absent in ("Last reboot reason", "CPU temperature", "installed", "1 min CPU"):
        assert absent not in text
    assert re.search(r"Serial ID\s+P1\d{10}$", text, re.M)


def test_mx_routing_engine_layout_is_the_samples(lab: Lab) -> None:
    entries = lab.route_engines("re0")
    master, backup = entries["0"], entries["1"]
    assert master.findtext("status") == "OK" and master.find("cpu-idle3") is not None
    assert backup.find("cpu-idle1") is None  # the sample's backup has no interval blocks
    assert master.findtext("last-reboot-reason") == "Router rebooted after a normal shutdown."
    assert re.fullmatch(r"90\d{8}", str(master.findtext("serial-number")))


def test_serials_are_junos_shaped_unique_per_router_and_stable(
        served: Callable[..., Lab]) -> None:
    def inventory(lab: Lab) -> dict[str, str]:
        reply = lab.rpc("re0", "<get-chassis-inventory/>")
        rows = {str(m.findtext("name")): str(m.findtext("serial-number"))
                for m in reply.iter("chassis-module")}
        rows["Chassis"] = str(reply.findtext(".//chassis/serial-number"))
        return rows

    a, b, a_again = inventory(served("mx-a")), inventory(served("mx-b")), inventory(
        served("mx-a"))
    assert a == a_again and a != b
    assert re.fullmatch(r"JN1[0-9A-F]{6}AF[ABC]", a["Chassis"])
    assert not (set(a.values()) & set(b.values())) - {"None"}  # the fan tray has no serial
    m320 = inventory(served("m320-a", platform="M320"))
    assert re.fullmatch(r"\d{5}", m320["Chassis"])
    assert re.fullmatch(r"[A-Z]{2}\d{4}", m320["CB 0"])  # the shape of the chapter's HW8716


@pytest.mark.parametrize(("old", "new"), [
    ("versions: {re0: 15.1F5.15, re1: 15.1F5.15}", "versions: {re0: 15.1F5.15, re1: 15.1F6.9}"),
    ("re_models: {re0: RE-S-1800x4, re1: RE-S-1800x4}",
     "re_models: {re0: RE-S-1800x4, re1: RE-S-2000}"),
])
def test_harness_readiness_agrees_with_the_router_on_a_mismatch(
        tmp_path: Path, old: str, new: str) -> None:
    """The harness's GRES gate reads the router's own "Not Ready": the two agree."""
    text = default_testbed_path().read_text()
    assert old in text and "boot_time: 180\n" in text
    path = tmp_path / "mismatch.yaml"
    path.write_text(text.replace(old, new).replace(
        "boot_time: 180\n",
        'boot_time: 180\n      config: "set chassis redundancy graceful-switchover"\n'))
    pool = RouterPool(load_testbed(path))
    try:
        dut = pool.get("r1")
        gres = check_readiness(dut, [Gate.GRACEFUL_SWITCHOVER]).result(Gate.GRACEFUL_SWITCHOVER)
        assert not gres.passed and "Not Ready" in gres.detail
    finally:
        pool.close()
