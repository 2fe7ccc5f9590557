"""``diff(pre, post, expect=...)``: what changed between two snapshots, judged by rules.

Every value of both snapshots is walked (items, then where each was read, then the tree): a
value in both is SAME or CHANGED, a value or a whole entry in one only is ADDED or REMOVED.
Each is judged by the first rule that decides it (:func:`harness.snapshots.rules.judge`), in
this order: the rules of ``expect`` (the test's), the plan's rules (testbed, snapshot file), the
built-in HA rules (:mod:`harness.snapshots.ha`), and "must be equal".  Lists of lines (a
configuration as ``set`` lines, text replies) are compared as multisets, each line added or
removed judged on its own; logs (items with a ``tail``) as logs: lines added at the end.

An item an RE did not answer in either snapshot is listed as not compared, with the error;
answered in one only, it is a change like any other.

:class:`SnapshotDiff` holds the verdicts and says them in plain words (:meth:`explain`).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.fileio import write_atomic
from harness.snapshots.capture import Capture, Snapshot, SnapshotError
from harness.snapshots.ha import HAContext, ha_rules, new_lines
from harness.snapshots.rules import ChangeKind, HACheck, Rule, Verdict, judge, rules_from
from re_contract.snapshots import SnapshotRuleSpec

__all__ = ["Change", "SnapshotDiff", "diff"]

#: How many unexpected changes :meth:`SnapshotDiff.explain` lists one by one.
LISTED = 40
_SAME, _CHANGED = ChangeKind.SAME, ChangeKind.CHANGED
_ADDED, _REMOVED = ChangeKind.ADDED, ChangeKind.REMOVED


@dataclass(frozen=True, slots=True)
class Change:
    """One value that differs (or a check that failed on one that did not): where, how, the
    verdict, the rule that gave it and why, in plain words."""

    path: str
    kind: ChangeKind
    pre: Any
    post: Any
    verdict: Verdict
    rule: str
    why: str
    reason: str

    @property
    def item(self) -> str:
        """Return the snapshot item the value belongs to."""
        return self.path.split("/", 1)[0]

    def line(self) -> str:
        """Return ``path: reason [rule]``."""
        return f"{self.path}: {self.reason} [{self.rule}]"

    def to_dict(self) -> dict[str, Any]:
        """Return the change as JSON data."""
        return {"path": self.path, "kind": self.kind.value, "pre": _plain(self.pre),
                "post": _plain(self.post), "verdict": self.verdict.value, "rule": self.rule,
                "why": self.why, "reason": self.reason}


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | list | dict) or value is None \
        else str(value)


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """The judged differences between snapshots ``pre`` and ``post`` of one router."""

    router: str
    pre: str
    post: str
    context: HAContext
    changes: tuple[Change, ...]
    #: (where, error) of each item no RE answered in either snapshot.
    unavailable: tuple[tuple[str, str], ...]
    #: How many values were compared.
    compared: int

    @property
    def unexpected(self) -> tuple[Change, ...]:
        """Return the changes no rule expects."""
        return tuple(c for c in self.changes if c.verdict is Verdict.UNEXPECTED)

    @property
    def expected(self) -> tuple[Change, ...]:
        """Return the changes a rule expects."""
        return tuple(c for c in self.changes if c.verdict is Verdict.EXPECTED)

    @property
    def ignored(self) -> tuple[Change, ...]:
        """Return the changes a rule says not to compare."""
        return tuple(c for c in self.changes if c.verdict is Verdict.IGNORED)

    @property
    def clean(self) -> bool:
        """Return True when no change is unexpected."""
        return not self.unexpected

    def headline(self) -> str:
        """Return one line: the verdict and the counts."""
        verdict = ("no unexpected change" if self.clean
                   else f"{len(self.unexpected)} UNEXPECTED change(s)")
        return (f"{self.router}: {self.pre} -> {self.post}: {verdict} ({len(self.expected)} "
                f"expected, {len(self.ignored)} ignored, {self.compared} values compared)")

    def explain(self) -> str:
        """Return the diff in plain words: what happened to mastership, each unexpected
        change, the expected ones grouped by the reason they are expected, what could not be
        compared, and the verdict."""
        ctx = self.context
        lines = [f"{self.router}: snapshot {self.pre!r} -> {self.post!r}, "
                 f"{ctx.elapsed:.0f} s of router time apart.", ctx.describe()]
        if ctx.restarted:
            lines.append(ctx.describe_restarts())
        if self.unexpected:
            lines.append(f"Unexpected ({len(self.unexpected)}):")
            lines += [f"  {c.line()}" for c in self.unexpected[:LISTED]]
            if len(self.unexpected) > LISTED:
                lines.append(f"  ... and {len(self.unexpected) - LISTED} more")
        if self.expected:
            lines.append(f"Expected ({len(self.expected)}):")
            lines += [f"  {line}" for line in _grouped(self.expected)]
        if self.unavailable:
            lines.append("Not compared (no answer in either snapshot):")
            lines += [f"  {where}: {error}" for where, error in self.unavailable]
        rest = self.compared - len(self.changes)
        ignored = f", {len(self.ignored)} volatile or ignored values not compared" \
            if self.ignored else ""
        lines.append(f"Everything else is equal ({rest} values{ignored}).")
        lines.append(f"Verdict: {'no unexpected change' if self.clean else 'UNEXPECTED CHANGES'}")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Return the diff as JSON data."""
        ctx = self.context
        return {"router": self.router, "pre": self.pre, "post": self.post,
                "clean": self.clean, "headline": self.headline(),
                "context": {"master_before": ctx.master_before,
                            "master_after": ctx.master_after, "switchover": ctx.switchover,
                            "gres": ctx.gres, "elapsed": ctx.elapsed,
                            "restarted": sorted(ctx.restarted)},
                "compared": self.compared,
                "unexpected": [c.to_dict() for c in self.unexpected],
                "expected": [c.to_dict() for c in self.expected],
                "ignored": [c.to_dict() for c in self.ignored],
                "unavailable": [{"where": w, "error": e} for w, e in self.unavailable]}

    def save(self, directory: str | os.PathLike[str], stem: str = "diff") -> tuple[Path, Path]:
        """Write ``<stem>.json`` and ``<stem>.txt`` (:meth:`explain`) into ``directory``;
        return both.  Raises SnapshotError when they cannot be written."""
        base = Path(directory)
        paths = base / f"{stem}.json", base / f"{stem}.txt"
        try:
            write_atomic(paths[0], json.dumps(self.to_dict(), indent=1, ensure_ascii=False))
            write_atomic(paths[1], self.explain())
        except OSError as exc:
            raise SnapshotError(f"{base}: cannot write the diff: {exc}") from exc
        return paths


def _grouped(changes: Sequence[Change]) -> Iterator[str]:
    """Yield one line per reason: ``why: N value(s), e.g. path reason``."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.why or change.rule, []).append(change)
    for why, members in groups.items():
        first = members[0]
        more = f" (and {len(members) - 1} more)" if len(members) > 1 else ""
        yield f"{why}: {first.path}: {first.reason}{more}"


# ----------------------------------------------------------------------------- diffing
def diff(pre: Snapshot, post: Snapshot,
         expect: Mapping[str, Any] | Sequence[Rule | SnapshotRuleSpec] | None = None, *,
         rules: Sequence[Rule | SnapshotRuleSpec] = (), ha: bool = True,
         across_routers: bool = False, restarted: Iterable[str] = ()) -> SnapshotDiff:
    """Return the judged differences ``pre`` -> ``post`` of one router.

    ``expect``: the caller's rules (a mapping ``{path: check}`` / ``{path: {check: value}}``,
    or a list of rules), tried first; ``rules``: more rules after them (a plan's); ``ha``:
    apply the built-in HA rules (:mod:`harness.snapshots.ha`); ``across_routers``: compare
    snapshots of two routers (a lab router and its emulated clone), labelled ``a vs b``;
    ``restarted``: the REs the test's own actions restarted in between (their restart is
    expected; :mod:`harness.snapshots.restarts`).

    Raises ValueError for a bad rule in ``expect``, SnapshotError for snapshots of two
    routers unless ``across_routers``.
    """
    if pre.router != post.router and not across_routers:
        raise SnapshotError(f"cannot diff snapshots of two routers: {pre.router} and "
                            f"{post.router} (across_routers=True compares them)")
    label = pre.router if pre.router == post.router else f"{pre.router} vs {post.router}"
    chain = [*rules_from(expect), *rules_from(list(rules), "testbed")]
    restarted = frozenset(restarted)
    chain += ha_rules(pre, post, restarted) if ha else []
    walker = _Walker(chain)
    for item in dict.fromkeys([i.name for i in pre.items] + [i.name for i in post.items]):
        walker.item(item, pre.captures.get(item), post.captures.get(item))
    return SnapshotDiff(label, pre.name, post.name, HAContext.of(pre, post, restarted),
                        tuple(walker.changes), tuple(walker.unavailable), walker.compared)


class _Walker:
    """Walks two snapshots' values, judging each (one diff's working state)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.changes: list[Change] = []
        self.unavailable: list[tuple[str, str]] = []
        self.compared = 0

    def item(self, item: str, pre: Mapping[str, Capture] | None,
             post: Mapping[str, Capture] | None) -> None:
        if pre is None or post is None:
            self._judge((item,), _ADDED if pre is None else _REMOVED,
                        None if pre is None else "captured",
                        None if post is None else "captured",
                        reason=f"captured in the {'second' if pre is None else 'first'} "
                               f"snapshot only")
            return
        for where in dict.fromkeys([*pre, *post]):
            self._capture((item, where), pre.get(where), post.get(where))

    def _capture(self, path: tuple[str, ...], pre: Capture | None, post: Capture | None
                 ) -> None:
        a = pre if pre is not None and pre.ok else None
        b = post if post is not None and post.ok else None
        if a is None and b is None:
            error = (post or pre or Capture(None, error="not captured")).error or ""
            self.unavailable.append(("/".join(path), error))
        elif a is None:
            self._judge(path, _ADDED, _answer(pre), b.value if b else None,
                        reason=f"answers now; before: {_answer(pre)}")
        elif b is None:
            self._judge(path, _REMOVED, a.value, _answer(post),
                        reason=f"answered before; now: {_answer(post)}")
        else:
            self._walk(path, a.value, b.value)

    def _walk(self, path: tuple[str, ...], pre: Any, post: Any) -> None:
        if isinstance(pre, dict) and isinstance(post, dict):
            for key in dict.fromkeys([*pre, *post]):
                sub = (*path, key)
                if key not in post:
                    self._judge(sub, _REMOVED, pre[key], None)
                elif key not in pre:
                    self._judge(sub, _ADDED, None, post[key])
                else:
                    self._walk(sub, pre[key], post[key])
        elif isinstance(pre, list) and isinstance(post, list):
            self._lines(path, pre, post)
        else:
            self._judge(path, _SAME if pre == post else _CHANGED, pre, post)

    def _lines(self, path: tuple[str, ...], pre: list[Any], post: list[Any]) -> None:
        log = next((r for r in self.rules if r.check is HACheck.APPEND_ONLY
                    and r.matches(path)), None)
        if log is not None:
            self._log(path, log, [str(x) for x in pre], [str(x) for x in post])
            return
        before, after = Counter(map(str, pre)), Counter(map(str, post))
        self.compared += max(len(pre), len(post))
        for line, count in (before - after).items():
            for _ in range(count):
                self._judge((*path, line), _REMOVED, line, None, counted=True)
        for line, count in (after - before).items():
            for _ in range(count):
                self._judge((*path, line), _ADDED, None, line, counted=True)

    def _log(self, path: tuple[str, ...], rule: Rule, pre: list[str], post: list[str]) -> None:
        """Judge a log: lines after the old last line are new (expected); old lines gone
        from a log that did not outgrow its tail were lost (unexpected)."""
        self.compared += 1
        where, tail = "/".join(path), rule.value
        new = new_lines(pre, post)
        if new is None and tail and len(post) >= tail:
            self._record(where, _CHANGED, len(pre), len(post), Verdict.EXPECTED, rule,
                         f"more than {tail} new lines: the earlier ones are beyond the tail")
        elif new is None:
            self._record(where, _CHANGED, len(pre), len(post), Verdict.UNEXPECTED, rule,
                         f"none of the {len(pre)} earlier lines is left (rotated or cleared)")
        elif new:
            shown = "; ".join(new[:3]) + (" ..." if len(new) > 3 else "")
            self._record(where, _CHANGED, len(pre), len(post), Verdict.EXPECTED, rule,
                         f"{len(new)} new line(s): {shown}")

    def _judge(self, path: tuple[str, ...], kind: ChangeKind, pre: Any, post: Any, *,
               counted: bool = False, reason: str = "") -> None:
        if not counted:
            self.compared += 1
        rule, found = judge(self.rules, path, kind, pre, post)
        if found.verdict is not Verdict.OK:
            self._record("/".join(path), kind, pre, post, found.verdict, rule,
                         reason or found.reason)

    def _record(self, where: str, kind: ChangeKind, pre: Any, post: Any, verdict: Verdict,
                rule: Rule, reason: str) -> None:
        self.changes.append(Change(where, kind, pre, post, verdict, rule.label(),
                                   rule.why, reason))


def _answer(capture: Capture | None) -> str:
    """Return what an RE said instead of a value (its error), for a change's pre/post."""
    return "not captured" if capture is None else f"no answer ({capture.error})"
