"""Reply readers for the configuration helpers (commit-results, load errors, warnings) on the
reply shapes of NOTES.md 3.6 and the samples, ``show version`` (one RE, every RE, a version
only in a package comment), where the readers find elements, and the operation Deadline."""

from __future__ import annotations

import time

import pytest
from lxml import etree

from harness.errors import OperationTimeoutError
from harness.junos import (
    SoftwareVersion,
    load_errors,
    parse_commit,
    parse_route_engines,
    parse_software,
    reply_warnings,
)
from harness.session import Deadline, strip_namespaces
from tests.shared import sample_path

SYNC = """<rpc-reply xmlns:junos="URL"><commit-results>
<routing-engine><name>re0</name><commit-check-success/></routing-engine>
<routing-engine><name>re1</name><commit-check-success/></routing-engine>
<routing-engine><name>re1</name><commit-success/></routing-engine>
<routing-engine><name>re0</name><commit-success/></routing-engine>
</commit-results></rpc-reply>"""

WARNED = """<rpc-reply><rpc-error><error-severity>warning</error-severity>
<error-message>
Could not connect to re1 : No route to host
</error-message></rpc-error><commit-results>
<routing-engine><name>re0</name><commit-success/></routing-engine></commit-results>
<ok/></rpc-reply>"""


def test_commit_synchronize_steps_in_router_order() -> None:
    report = parse_commit(etree.fromstring(SYNC), "re0")
    assert report.checked_on == ("re0", "re1") and report.committed_on == ("re1", "re0")
    assert report.warnings == ()


def test_commit_warnings_are_kept() -> None:
    report = parse_commit(etree.fromstring(WARNED), "re0")
    assert report.committed_on == ("re0",)
    assert report.warnings == ("Could not connect to re1 : No route to host",)


def test_bare_ok_is_one_step_on_the_re() -> None:
    report = parse_commit(etree.fromstring("<rpc-reply><ok/></rpc-reply>"), "re1",
                          check_only=True)
    assert report.checked_on == ("re1",) and report.committed_on == ()


def test_load_errors_from_the_pyez_sample() -> None:
    sample = sample_path("load-configuration.error.pyez.xml")
    reply = strip_namespaces(etree.parse(str(sample)).getroot())
    errors = load_errors(reply)
    assert errors and all(sev == "error" for sev, _ in errors)
    assert reply_warnings(reply) == ()


def test_software_of_one_re_from_the_sample() -> None:
    reply = strip_namespaces(etree.parse(str(sample_path(
        "get-software-information.single.pyez.xml"))).getroot())
    assert parse_software(reply) == [
        SoftwareVersion("re0", "firefly", "firefly-perimeter", "12.1X46-D15.3")]


def test_software_of_every_re_from_show_version_invoke_on_all() -> None:
    reply = strip_namespaces(etree.parse(str(sample_path(
        "command.show-version-invoke-on-all-routing-engines.dual.mx480.pyez.xml"))).getroot())
    assert parse_software(reply) == [
        SoftwareVersion("re0", "baku", "mx480", "15.1F5.15-C1.12"),
        SoftwareVersion("re1", "baku1", "mx480", "15.1F5.15")]


def test_software_version_from_a_package_comment_and_an_item_without_software() -> None:
    reply = etree.fromstring("""<rpc-reply><multi-routing-engine-results>
    <multi-routing-engine-item><re-name>re0</re-name><software-information>
      <host-name>r1</host-name><product-model>m320</product-model>
      <package-information><name>junos</name>
        <comment>JUNOS Base OS boot [8.5R1.14]</comment></package-information>
    </software-information></multi-routing-engine-item>
    <multi-routing-engine-item><re-name>re1</re-name><xnm:error xmlns:xnm="x">
      <message>re1 not responding</message></xnm:error></multi-routing-engine-item>
    </multi-routing-engine-results></rpc-reply>""")
    assert parse_software(strip_namespaces(reply)) == [
        SoftwareVersion("re0", "r1", "m320", "8.5R1.14"), SoftwareVersion("re1", "", "", "")]


def test_route_engines_are_found_at_any_depth_grouped_by_name_as_jxmlease_read_them() -> None:
    # Two REs without a slot (both 0): their order is the readers' walk, which keeps the
    # order jxmlease's dictionaries gave: siblings grouped by name, in first-seen order.
    reply = etree.fromstring("""<rpc-reply><!-- a comment -->
    <route-engine-information>
      <wrapper><route-engine><mastership-state>backup</mastership-state></route-engine></wrapper>
      <route-engine><mastership-state>master</mastership-state>
        <up-time seconds="60"> 1 minute </up-time></route-engine>
      <wrapper><route-engine><mastership-state>disabled</mastership-state></route-engine>
      </wrapper>
      <route-engine><mastership-state>backup</mastership-state></route-engine>
    </route-engine-information></rpc-reply>""")
    engines = parse_route_engines(reply)
    assert [r.mastership_state for r in engines] == ["backup", "disabled", "master", "backup"]
    assert [r.up_time for r in engines] == [None, None, 60, None]
    assert {r.slot for r in engines} == {0}


def test_deadline_clips_and_then_raises() -> None:
    d = Deadline.after(0.05, "r1: test")
    assert 0 < d.clip(10) <= 0.05
    assert d.clip(0.01) == 0.01
    time.sleep(0.06)
    assert d.expired()
    with pytest.raises(OperationTimeoutError, match="r1: test"):
        d.clip(1)


def test_earliest_deadline_wins() -> None:
    short, long_ = Deadline.after(1, "short"), Deadline.after(100, "long")
    assert long_.earliest(short) is short and short.earliest(long_) is short
    assert short.earliest(None) is short
