"""Issue 16's "done when", as a user runs it: ``pytest suites --record DIR --report-dir A``
against the default (emulated) testbed writes a pre/post snapshot pair and a diff for every
disruptive test, and the acceptance report shows its diff; then, with every process of that run
gone (the in-process emulator with it), ``pytest suites --replay DIR`` passes offline: the
offline guard plugin fails the run on any connection, sleep or import of the emulator, and the
replay writes the same diffs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.fileio import safe_name

REPO = Path(__file__).resolve().parents[2]


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "suites", "-p", "no:cacheprovider",
                           "-q", *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)


def _disruptive() -> list[str]:
    listed = _pytest("-m", "disruptive", "--collect-only")
    return [line for line in listed.stdout.splitlines() if "::" in line]


def test_a_suites_run_writes_its_diffs_and_replays_offline(tmp_path: Path) -> None:
    rec, first, second = tmp_path / "rec", tmp_path / "first", tmp_path / "second"
    recorded = _pytest("--record", rec, "--report-dir", first, "-n", "2")
    assert recorded.returncode == 0, recorded.stdout[-3000:] + recorded.stderr[-3000:]
    disruptive = _disruptive()
    assert len(disruptive) >= 30
    for nodeid in disruptive:
        where = first / "snapshots" / "r1" / safe_name(nodeid)
        assert {"pre.json", "post.json", "diff.json", "diff.txt"} <= {
            p.name for p in where.iterdir()}, nodeid
    acceptance = (first / "acceptance-r1.txt").read_text()
    assert "Pre/post snapshots (what else changed on the router):" in acceptance
    assert "[PASS] pre-post-snapshot: r1: pre -> post: no unexpected change" in acceptance
    assert json.loads((first / "acceptance-r1.json").read_text())["snapshots"][0]["clean"]

    replayed = _pytest("--replay", rec, "--report-dir", second, "-p",
                       "tests.integration.offline_guard")
    assert replayed.returncode == 0, replayed.stdout[-3000:] + replayed.stderr[-3000:]
    assert "offline guard: no connection, no sleep, no emulator" in replayed.stdout
    passed = [line for line in recorded.stdout.splitlines() if " passed" in line][-1]
    assert passed.split(" in ")[0] in replayed.stdout
    for nodeid in disruptive:
        name = safe_name(nodeid)
        before = json.loads((first / "snapshots" / "r1" / name / "diff.json").read_text())
        after = json.loads((second / "snapshots" / "r1" / name / "diff.json").read_text())
        assert after == before, nodeid
