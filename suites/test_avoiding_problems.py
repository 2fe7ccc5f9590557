"""Avoiding redundancy problems: the chapter's five operating guidelines, checked.

Chapter "Host Redundancy Overview", section "Avoiding Redundancy Problems": step 1 "Operate the
Same Type of Routing Engine and JUNOS Software", step 2 "Use the Groups Configuration" (groups
re0/re1, apply-groups, the body takes precedence over a group), step 3 "Synchronize
Configurations" (``commit synchronize``; the other RE unreachable), step 4 "Copy a
Configuration File from One Routing Engine to Another" (``file copy ... re1:/var/tmp/``).
Step 5, halting the backup properly, is in test_halt_backup.py.
"""

from __future__ import annotations

import pytest

from harness.junos import parse_software
from harness.procedures import ConfigChanges, check_models, check_versions
from harness.router import DualRERouter

#: The chapter's example file (step 4).
JINSTALL = "jinstall-6.0R3.3-domestic-signed.tgz"
GROUPS = [
    "delete system host-name",
    "set groups re0 system host-name {name}-re0",
    "set groups re1 system host-name {name}-re1",
    "set apply-groups re0",
    "set apply-groups re1",
]


def _host_names(router: DualRERouter) -> dict[str, str]:
    reply = router.rpc(router.master,
                       "<command>show version invoke-on all-routing-engines</command>")
    return {s.re_name: s.host_name for s in parse_software(reply)}


def test_same_routing_engine_type(router: DualRERouter) -> None:
    """Step 1: both REs are the same model."""
    result = check_models(router)
    assert result.passed, result.detail


def test_same_junos_version(router: DualRERouter) -> None:
    """Step 1: both REs run the same Junos version (``show version invoke-on
    all-routing-engines``)."""
    result = check_versions(router)
    assert result.passed, result.detail


@pytest.mark.disruptive
def test_groups_re0_re1_give_each_re_its_host_name(router: DualRERouter,
                                                   config: ConfigChanges) -> None:
    """Step 2: one configuration, groups re0 and re1 applied: each RE takes the host-name of
    its own slot's group, as ``show version`` on each RE shows."""
    config.apply([line.format(name=router.name) for line in GROUPS])
    assert _host_names(router) == {"re0": f"{router.name}-re0", "re1": f"{router.name}-re1"}
    for name in router.re_names:
        assert "apply-groups [ re0 re1 ];" in router.committed_config(name)


@pytest.mark.disruptive
def test_body_takes_precedence_over_groups(router: DualRERouter, config: ConfigChanges) -> None:
    """Step 2: a statement in the body wins over the same statement in a group ("the
    configuration from the group statement will not be inherited")."""
    config.apply([line.format(name=router.name) for line in GROUPS])
    config.apply(f"set system host-name {router.name}-body")
    assert _host_names(router) == {"re0": f"{router.name}-body", "re1": f"{router.name}-body"}


@pytest.mark.disruptive
def test_commit_synchronize_commits_both_res(router: DualRERouter, config: ConfigChanges) -> None:
    """Step 3: ``commit synchronize`` on the master checks and commits on both REs; the other
    RE's committed configuration then has the change."""
    master = router.master
    report = config.apply("set system login message re-harness-sync", via=master)
    assert not report.warnings
    for name in router.re_names:
        assert "re-harness-sync" in router.committed_config(name)


@pytest.mark.disruptive
def test_commit_synchronize_with_other_re_down(router: DualRERouter, config: ConfigChanges
                                               ) -> None:
    """Step 3 when the other RE is halted: the commit warns that it cannot connect to the
    other RE and commits locally; the other RE does not get the change."""
    master, backup = router.master, router.backup
    assert backup is not None
    router.halt(backup)
    try:
        report = config.apply("set system login message re-harness-local", via=master)
        assert any("Cannot connect to other RE" in str(w) for w in report.warnings), report
        assert "re-harness-local" in router.committed_config(master)
    finally:
        router.power_on(backup)
    assert "re-harness-local" not in router.committed_config(backup)


@pytest.mark.disruptive
def test_file_copy_to_the_other_re(router: DualRERouter) -> None:
    """Step 4: ``file copy /var/tmp/<jinstall> re1:/var/tmp/`` on RE0; ``file list
    /var/tmp/`` on RE1 then shows the file."""
    source = f"/var/tmp/{JINSTALL}"
    if JINSTALL not in router.command("re0", f"file list {source}"):
        pytest.skip(f"{router.name}: re0 has no {source} to copy (the chapter's example file)")
    router.command("re0", f"file copy {source} re1:/var/tmp/")
    assert JINSTALL in router.command("re1", "file list /var/tmp/").split()
