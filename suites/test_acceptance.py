"""The pre-upgrade acceptance profile: ``pytest suites -m acceptance --testbed lab.yaml``.

Chapter "Host Redundancy Overview": the readiness of "Avoiding Redundancy Problems" (same RE
type and Junos version, synchronised configurations), "Determining Routing Engine Mastership"
(two REs, one master), graceful-switchover readiness on the backup (``show system switchover``),
clean mastership logs ("Determining Why Mastership Switched"), then "Manually Switching Routing
Engine Mastership" there and back, each switchover waiting until the backup is ready again and
held to the router's budgets: forwarding restored (every FPC Online, ``show chassis fpc``) and
backup ready (``show system switchover``), in router seconds from the command; and a pre/post
snapshot diff proving nothing else on the router changed (versions, configurations, FPCs,
interfaces, alarms, the backup's readiness).  Each router gets an acceptance report (JSON +
text, in ``--report-dir`` or the run's temporary directory) to attach to the change ticket.
"""

from __future__ import annotations

import pytest

from harness.procedures import (
    AcceptanceReport,
    CheckResult,
    LogWatch,
    budget_checks,
    check_two_res,
    failed_checks,
    readiness_checks,
    roles,
)
from harness.router import DualRERouter
from harness.snapshots.pytest_side import TestSnapshots

pytestmark = pytest.mark.acceptance


def test_ready_for_upgrade(router: DualRERouter, acceptance_report: AcceptanceReport) -> None:
    """Every readiness check passes: two REs and one master, same RE model, same Junos
    version, GRES ready when configured, configurations synchronised, logs clean."""
    acceptance_report.checks = readiness_checks(router)
    assert not failed_checks(acceptance_report.checks), acceptance_report.to_text()


@pytest.mark.disruptive
def test_switchover_and_switch_back(router: DualRERouter, acceptance_report: AcceptanceReport,
                                    snapshots: TestSnapshots) -> None:
    """Switch mastership to the backup, wait out the hold-down, switch back: both moves
    complete, forwarding is restored and the backup is ready again within the router's budgets
    each time, the original master is master again, both REs are back in their roles, and the
    pre/post snapshot diff shows no change but the expected HA ones (uptimes, logs; FPCs
    restarted without GRES).  Times, the mastership-log timeline and the diff go into the
    report."""
    logs = LogWatch.start(router)
    original = router.master
    there = router.switchover("switch", until="redundant")
    acceptance_report.add_operation(there)
    acceptance_report.checks += budget_checks(there, router.budgets)
    router.wait_ready_for_switch()
    back = router.switchover("switch", until="redundant")
    acceptance_report.add_operation(back)
    acceptance_report.checks += budget_checks(back, router.budgets)
    acceptance_report.add_timeline(logs.both())
    after = check_two_res(router)
    acceptance_report.checks.append(CheckResult("after-switch-back", after.passed,
                                                after.detail))
    diff = snapshots.check()
    acceptance_report.add_snapshot_diff(diff)
    acceptance_report.checks.append(CheckResult("pre-post-snapshot", diff.clean,
                                                diff.headline()))
    assert there.master_after != original
    assert back.master_after == original
    assert not failed_checks(acceptance_report.checks), acceptance_report.to_text()
    backup = str(there.master_after)
    assert roles(router, via=backup) == {original: "master", backup: "backup"}
    assert diff.clean, diff.explain()
