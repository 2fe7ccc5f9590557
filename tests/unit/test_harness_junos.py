"""Reply readers for the configuration helpers (commit-results, load errors, warnings) on the
reply shapes of NOTES.md 3.6 and the samples, and the operation Deadline."""

from __future__ import annotations

import time

import pytest
from lxml import etree

from harness.errors import OperationTimeoutError
from harness.junos import load_errors, parse_commit, reply_warnings
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
