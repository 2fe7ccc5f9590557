"""Platforms, versions, files and ``show system switchover``, over NETCONF: chapter "Operate the
Same Type of Routing Engine and JUNOS Software", "Copy a Configuration File from One Routing
Engine to Another", single-RE platforms, testbed platform overrides."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.model.router import RouterParams
from re_contract.platform import PlatformOverride
from tests.integration.test_emulator_lab import Lab, lab, make_lab, switch_rpc

__all__ = ["lab"]

SWITCH = switch_rpc("switch", "no-confirm")


@pytest.fixture
def mismatched() -> Iterator[Lab]:
    """A dual-RE MX480 whose RE1 runs another Junos release on another RE model."""
    served = make_lab(RouterParams(name="r1", versions={0: "15.1F5.15", 1: "14.2R3.8"},
                                   re_models={0: "RE-S-1800x4", 1: "RE-S-2000x4"}))
    try:
        yield served
    finally:
        served.server.stop()


@pytest.fixture
def single() -> Iterator[Lab]:
    """An M7i: one Routing Engine, no redundancy (chapter)."""
    served = make_lab(RouterParams(name="m7", platform="M7i"))
    try:
        yield served
    finally:
        served.server.stop()


def test_version_and_model_mismatch_is_visible(mismatched: Lab) -> None:
    reply = mismatched.rpc("re0", "<command>show version invoke-on all-routing-engines</command>")
    items = {i.findtext("re-name"): i for i in reply.iter("multi-routing-engine-item")}
    assert items["re0"].findtext(".//junos-version") == "15.1F5.15"
    # Releases before 15.1 carry no <junos-version>: the release is in the package comments.
    assert "[14.2R3.8]" in " ".join(c.text or "" for c in items["re1"].iter("comment"))
    models = {slot: e.findtext("model") for slot, e in mismatched.route_engines("re0").items()}
    assert models == {"0": "RE-S-1800x4", "1": "RE-S-2000x4"}


def test_show_version_invoke_on_with_other_re_down(lab: Lab) -> None:
    lab.rpc("re1", "<request-halt/>")
    message = lab.error("re0", "<command>show version invoke-on all-routing-engines</command>")
    assert message == "Could not connect to re1 : No route to host"


def test_single_re_platform_refuses_redundancy_commands(single: Lab) -> None:
    assert list(single.route_engines("re0")) == ["0"]
    before = single.snapshot()
    message = single.error("re0", SWITCH)
    assert message == "Routing engine redundancy is not supported on this platform"
    assert single.error("re0", "<request-halt><both-routing-engines/></request-halt>") == (
        "There is no other routing engine on this platform")
    assert single.snapshot() == before
    reply = single.rpc("re0", "<command>show version invoke-on all-routing-engines</command>")
    assert [i.findtext("re-name") for i in reply.iter("multi-routing-engine-item")] == ["re0"]


def test_platform_override_from_the_testbed() -> None:
    override = PlatformOverride(base="MX480", re_model="RE-S-2X00x6", default_version="21.4R3.15")
    params = RouterParams(name="r9", platform="MX480-lab", platform_override=override)
    served = make_lab(params)
    try:
        entry = served.route_engines("re0")["1"]
        assert entry.findtext("model") == "RE-S-2X00x6"
        version = served.rpc("re1", "<get-software-information/>")
        assert version.findtext(".//junos-version") == "21.4R3.15"
    finally:
        served.server.stop()


def test_switchover_information_on_the_backup_with_gres(lab: Lab) -> None:
    lab.configure("re0", "set chassis redundancy graceful-switchover")
    reply = lab.rpc("re1", "<get-switchover-information/>")
    info = reply.find(".//switchover-information")
    assert info is not None
    assert info.findtext("switchover-state") == "On"
    assert info.find("configuration-state/configuration-ready") is not None
    assert info.find("replication-state/replication-ready") is not None
    assert info.findtext("peer-state") == "Steady State"
    assert reply.findtext(".//gresreadiness-status/output") == "Ready"
    text = lab.command("re1", "show system switchover")
    assert "Graceful switchover: On" in text and "Switchover Status: Ready" in text
    lab.control("sever-link")
    info = lab.rpc("re1", "<get-switchover-information/>").find(".//switchover-information")
    assert info is not None and info.findtext("peer-state") == "Not Ready"


def test_switchover_information_refused_on_the_master(lab: Lab) -> None:
    assert lab.error("re0", "<get-switchover-information/>") == (
        "show system switchover is only supported on the backup Routing Engine")


def test_file_copy_between_routing_engines(lab: Lab) -> None:
    listing = lab.command("re1", "file list /var/tmp/")
    assert "jinstall-6.0R3.3-domestic-signed.tgz" not in listing
    lab.rpc("re0", "<file-copy><source>/var/tmp/jinstall-6.0R3.3-domestic-signed.tgz</source>"
                   "<destination>re1:/var/tmp/</destination></file-copy>")
    listing = lab.command("re1", "file list /var/tmp/")
    # Chapter sample, "Check the result on RE1".
    for name in (".pccardd=", "jbundle-5.5R3.1-domestic.tgz*",
                 "jinstall-6.0R3.3-domestic-signed.tgz", "sampled.pkts"):
        assert name in listing.splitlines()


def test_file_copy_to_an_unreachable_re_fails(lab: Lab) -> None:
    lab.control("sever-link")
    assert lab.error("re0", "<file-copy><source>/var/tmp/sampled.pkts</source>"
                            "<destination>re1:/var/tmp/</destination></file-copy>") == (
        "Could not connect to re1 : No route to host")


def test_unknown_re_in_a_control_rpc_is_refused(lab: Lab) -> None:
    before = lab.snapshot()
    message = lab.error("control", '<crash-re xmlns="urn:re-emulator:control:1"><re>re7</re>'
                                   "</crash-re>")
    assert message == "unknown routing engine 're7': expected one of re0, re1"
    assert lab.snapshot() == before


def test_commit_synchronize_on_a_single_re_platform_commits_locally(single: Lab) -> None:
    reply = single.configure("re0", "set system location building b9")
    assert [e.findtext("name") for e in reply.iter("routing-engine")] == ["re0"]
    assert "building b9" in single.config_text("re0")
