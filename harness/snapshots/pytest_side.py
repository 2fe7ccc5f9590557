"""The pytest side of snapshots: pre/post snapshots around disruptive tests, written into the
report directory with their diff.

- ``--snapshots disruptive`` (the default) takes them around every ``router`` test marked
  ``disruptive`` or ``snapshots``; ``marked`` only around ``snapshots``-marked tests; ``off``
  around none (the ``snapshots`` fixture still works).
- ``--snapshot-file FILE`` adds items and rules (the keys of a testbed's ``snapshots:``).
- ``@pytest.mark.snapshots(expect=..., strict=False, settle=None, items=None)``: the test's
  rules (``{path: check}``), whether an unexpected change errors the test at teardown, how many
  router seconds the post snapshot may wait for the router to settle (default: the router's
  ``timeouts.switchover``), and the items to capture (default: the router's plan).
- The ``snapshots`` fixture (:class:`TestSnapshots`): ``snapshots.pre``, ``snapshots.take(name)``,
  ``snapshots.check()`` (the post snapshot and its diff, now, for a test to assert on).

Files: ``<dir>/<router>/<test>/<name>.json`` for each snapshot, ``diff.json`` and ``diff.txt``
for the pre/post diff, where ``<dir>`` is ``--report-dir``'s ``snapshots/`` (else the run's
temporary directory's).  Each test gets the user properties ``snapshot_diff`` (the text's path)
and ``snapshot_unexpected`` (a count); the terminal summary lists the diffs with unexpected
changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.fileio import safe_name
from harness.markers import Mark
from harness.router import DualRERouter
from harness.snapshots.capture import Snapshot, take_snapshot
from harness.snapshots.diff import SnapshotDiff, diff
from harness.snapshots.items import SnapshotPlan
from harness.snapshots.restarts import RestartWatch
from harness.snapshots.settle import settled_diff
from re_contract.snapshots import SnapshotSettings

__all__ = ["MARKER", "RUN_KEY", "SnapshotDiffError", "SnapshotMode", "SnapshotRun",
           "TestSnapshots"]

log = logging.getLogger(__name__)

MARKER = Mark.SNAPSHOTS.value
RUN_KEY = pytest.StashKey["SnapshotRun"]()
_TEST_KEY = pytest.StashKey["TestSnapshots"]()
DIFF_PROPERTY = "snapshot_diff"
UNEXPECTED_PROPERTY = "snapshot_unexpected"


class SnapshotMode(Enum):
    """``--snapshots``: around which tests the plugin takes pre/post snapshots."""

    DISRUPTIVE = "disruptive"
    MARKED = "marked"
    OFF = "off"


class SnapshotDiffError(HarnessError):
    """A ``snapshots(strict=True)`` test left the router with changes no rule expects.

    At fault: the router (or the test's rules); the message is the diff in plain words.
    """


@dataclass(frozen=True, slots=True)
class MarkSettings:
    """The arguments of a test's ``snapshots`` marker."""

    expect: Mapping[str, Any] | list[Any] | None = None
    strict: bool = False
    settle: float | None = None
    items: tuple[str, ...] | None = None

    @classmethod
    def of(cls, node: pytest.Item) -> MarkSettings | None:
        """Return the marker's settings, or None when the test has none.

        Raises pytest.UsageError for an argument the marker does not take.
        """
        mark = node.get_closest_marker(MARKER)
        if mark is None:
            return None
        unknown = set(mark.kwargs) - {"expect", "strict", "settle", "items"}
        if mark.args or unknown:
            raise pytest.UsageError(f"{node.nodeid}: @pytest.mark.snapshots: expected keyword "
                                    f"arguments expect, strict, settle, items; got "
                                    f"{list(mark.args) + sorted(unknown)}")
        items = mark.kwargs.get("items")
        return cls(mark.kwargs.get("expect"), bool(mark.kwargs.get("strict", False)),
                   mark.kwargs.get("settle"), tuple(items) if items is not None else None)


class TestSnapshots:
    """The snapshots of one test on one router: ``pre`` (taken before the test when the plugin
    takes them around it), then :meth:`check` (the post snapshot and its diff)."""

    __test__ = False  # not a pytest test class

    def __init__(self, router: DualRERouter, directory: Path, nodeid: str,
                 settings: MarkSettings | None = None) -> None:
        self.router = router
        self.directory = directory
        self.nodeid = nodeid
        self.settings = settings or MarkSettings()
        plan = router.snapshot_plan
        self.plan: SnapshotPlan = plan.only(self.settings.items) if self.settings.items \
            else plan
        self.pre: Snapshot | None = None
        self.post: Snapshot | None = None
        self.result: SnapshotDiff | None = None
        #: The REs the test's own actions restart, gathered while :meth:`watching`.
        self.restarts = RestartWatch(router.re_names, self._master)

    def __repr__(self) -> str:
        return f"<TestSnapshots {self.router.name} {self.nodeid}>"

    def _store(self, snapshot: Snapshot) -> None:
        """Write ``snapshot`` into this test's directory, named for the test."""
        named = snapshot if snapshot.test else dataclasses.replace(snapshot, test=self.nodeid)
        named.save(self.directory / f"{safe_name(snapshot.name)}.json")

    @contextlib.contextmanager
    def storing(self) -> Iterator[None]:
        """Write every snapshot the router takes while the block runs into this test's
        directory (also those a test takes with ``router.snapshot(name)``); nested blocks
        store once."""
        if self._store in self.router.snapshot_listeners:
            yield
            return
        self.router.snapshot_listeners.append(self._store)
        try:
            yield
        finally:
            self.router.snapshot_listeners.remove(self._store)

    def _master(self) -> str | None:
        """Return the master now (a failover naming no RE hits it), None when unknown."""
        try:
            return self.router.state.master_or_none()
        except HarnessError as exc:
            log.info("%s: master unknown for a failover's victim: %s", self.router.name, exc)
            return None

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Gather, while the block runs, the REs the test's disruptive actions restart (the
        router's consent tells each action: :mod:`harness.snapshots.restarts`); the post
        snapshot's diff expects their restart, and only theirs."""
        listeners = self.router.consent.listeners
        listeners.append(self.restarts.on_action)
        try:
            yield
        finally:
            listeners.remove(self.restarts.on_action)

    def take(self, name: str) -> Snapshot:
        """Take snapshot ``name`` of the router now (stored in this test's directory)."""
        taken = take_snapshot(self.router, name, self.plan, test=self.nodeid)
        self._store(taken)
        return taken

    def start(self) -> Snapshot:
        """Take the ``pre`` snapshot; return it."""
        self.pre = self.take("pre")
        return self.pre

    def check(self, expect: Mapping[str, Any] | list[Any] | None = None,
              settle: float | None = None) -> SnapshotDiff:
        """Take the ``post`` snapshot (once the router settled: up to ``settle`` router
        seconds, default the marker's, else ``timeouts.switchover``) and diff it with
        ``pre`` under ``expect`` (default: the marker's) and the plan's rules, expecting the
        restart of the REs the test restarted so far; write the diff (``diff.json``,
        ``diff.txt``) and return it.

        Raises SnapshotDiffError when no pre snapshot was taken, ValueError for a bad rule.
        """
        if self.pre is None:
            raise SnapshotDiffError(f"{self.nodeid}: no pre snapshot to compare with: take "
                                    f"it first (snapshots.start())")
        rules = expect if expect is not None else self.settings.expect
        limit = settle if settle is not None else self.settings.settle
        self.post, self.result = settled_diff(
            lambda name, plan: take_snapshot(self.router, name, plan, test=self.nodeid),
            self.router.clock, self.pre, self.plan,
            settle=self.router.spec.timeouts.switchover if limit is None else limit,
            expect=rules, restarted=self.restarts.restarted)
        self._store(self.post)
        self.result.save(self.directory)
        return self.result

    def diff(self, pre: Snapshot, post: Snapshot,
             expect: Mapping[str, Any] | list[Any] | None = None) -> SnapshotDiff:
        """Return the diff of two snapshots of this test, under ``expect`` and the plan's
        rules (no snapshot is taken, nothing written)."""
        return diff(pre, post, expect, rules=self.plan.rules)


class SnapshotRun:
    """The snapshots of one pytest process: the mode, the extra settings of
    ``--snapshot-file``, where files go, and the summary (a plugin object)."""

    def __init__(self, mode: SnapshotMode, extra: SnapshotSettings | None,
                 report_dir: Path | None) -> None:
        self.mode = mode
        self.extra = extra
        self.report_dir = report_dir
        self._diffs: list[tuple[str, str, int]] = []
        self._prepared: set[str] = set()

    def directory(self, request: pytest.FixtureRequest, router: str) -> Path:
        """Return the directory of the snapshots of ``request``'s test on ``router``."""
        base = self.report_dir or request.getfixturevalue("tmp_path_factory").getbasetemp()
        return base / "snapshots" / router / safe_name(request.node.nodeid)

    def wants(self, node: pytest.Item, disruptive: bool) -> bool:
        """Return True when the plugin takes snapshots around test ``node``."""
        marked = node.get_closest_marker(MARKER) is not None
        if self.mode is SnapshotMode.OFF:
            return False
        return marked or (disruptive and self.mode is SnapshotMode.DISRUPTIVE)

    def prepare(self, router: DualRERouter) -> None:
        """Lay ``--snapshot-file``'s items and rules over ``router``'s plan (once per router
        of the session)."""
        if self.extra is not None and router.name not in self._prepared:
            router.snapshot_plan = router.snapshot_plan.extended(self.extra)
            self._prepared.add(router.name)

    def session(self, request: pytest.FixtureRequest, router: DualRERouter) -> TestSnapshots:
        """Return the snapshots of ``request``'s test (made on first use)."""
        node = request.node
        found = node.stash.get(_TEST_KEY, None)
        if found is None:
            self.prepare(router)
            found = TestSnapshots(router, self.directory(request, router.name), node.nodeid,
                                  MarkSettings.of(node))
            node.stash[_TEST_KEY] = found
        return found

    @contextlib.contextmanager
    def for_test(self, request: pytest.FixtureRequest, router: DualRERouter
                 ) -> Iterator[TestSnapshots]:
        """The ``snapshots`` fixture: the test's snapshots taken around it by the plugin, or
        else taken around it now (as :meth:`around`)."""
        found = request.node.stash.get(_TEST_KEY, None)
        if found is not None and found.pre is not None:
            yield found
            return
        with self.around(request, router) as taken:
            yield taken

    @contextlib.contextmanager
    def around(self, request: pytest.FixtureRequest, router: DualRERouter
               ) -> Iterator[TestSnapshots]:
        """Take ``pre`` before the block and, unless the test called ``check()``, the post
        snapshot and the diff after it; record the diff on the test.

        Raises SnapshotDiffError after the block for a strict test with unexpected changes.
        """
        taken = self.session(request, router)
        with taken.storing():
            taken.start()
            with taken.watching():
                yield taken
            if taken.result is None:
                _finish(taken)
        if taken.result is not None:
            self._record(request.node, taken)
            if taken.settings.strict and not taken.result.clean:
                raise SnapshotDiffError(taken.result.explain())

    def _record(self, node: pytest.Item, taken: TestSnapshots) -> None:
        assert taken.result is not None
        node.user_properties.append((DIFF_PROPERTY, str(taken.directory / "diff.txt")))
        node.user_properties.append((UNEXPECTED_PROPERTY, len(taken.result.unexpected)))

    # ------------------------------------------------------------------ hooks
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Note each test's diff (also those run by xdist workers)."""
        if report.when != "teardown":
            return
        props = dict(report.user_properties)
        if DIFF_PROPERTY in props:
            count = props.get(UNEXPECTED_PROPERTY, 0)
            self._diffs.append((report.nodeid, str(props[DIFF_PROPERTY]),
                                count if isinstance(count, int) else 0))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Say how many diffs were written and which had unexpected changes."""
        if not self._diffs:
            return
        bad = [(n, p, c) for n, p, c in self._diffs if c]
        terminalreporter.write_line(
            f"re-harness snapshots: {len(self._diffs)} pre/post diff(s), {len(bad)} with "
            f"unexpected changes")
        for nodeid, path, count in bad:
            terminalreporter.write_line(f"  {nodeid}: {count} unexpected: {path}")


def _finish(taken: TestSnapshots) -> None:
    """Take the post snapshot and diff after a test; a router that cannot be read at all is
    logged (the test's own outcome stands)."""
    try:
        taken.check()
    except HarnessError as exc:
        log.warning("%s: no post snapshot for %s: %s", taken.router.name, taken.nodeid, exc)
