"""Diff rules: which values a rule applies to, and how each check judges a value's change.

A rule names a path and a check.  The path is matched two ways (both documented in
``docs/snapshots.md``):

- without ``/`` it is a key name, matched at any level as pyATS's ``Diff(exclude=[...])`` does:
  ``up-time`` matches ``re-status/re0/route-engine[0]/up-time``; ``route-engine`` matches every
  value under every ``route-engine[...]`` (a glob: ``cpu-*``);
- with ``/`` it is a glob over the whole path (``*`` also matches ``/``), and matches the values
  under the path it names: ``configuration/re1`` is every line of re1's configuration.

In both, ``*`` matches any characters and ``?`` one; brackets are literal, as in the names of
keyed entries (``route-engine[1]``, ``physical-interface[ge-0/0/0]``).

The first rule whose path matches a value *and* whose check judges that kind of change decides
(:func:`judge`); a value no rule decides must be equal (:attr:`SnapshotCheck.MUST_EQUAL`).  The
checks are JSNAPy's test operators where they mean the same, plus ``ignore`` / ``may-change``
(pyATS ``exclude``), ``must-change`` and ``increases``; :class:`HACheck` are the built-in HA rules
(:mod:`harness.snapshots.ha`).  Each check is one small pure function of the change
(:data:`CHECKS`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from re_contract.snapshots import Delta, SnapshotCheck, SnapshotRuleSpec, check_named, check_value

__all__ = ["CHECKS", "ChangeKind", "HACheck", "Judgement", "Rule", "UptimeWindow", "Verdict",
           "judge", "number", "rules_from"]

#: A path: the item, where it was read (an RE name, master or backup), then the segments.
Path = tuple[str, ...]


class ChangeKind(Enum):
    """How a value differs between the two snapshots."""

    SAME = "same"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


class Verdict(Enum):
    """What a diff makes of a value: fine and unchanged (not listed), or a change that was
    expected, unexpected, or ignored."""

    OK = "ok"
    EXPECTED = "expected"
    UNEXPECTED = "unexpected"
    IGNORED = "ignored"


class HACheck(Enum):
    """The built-in HA checks (not written by users; :mod:`harness.snapshots.ha` makes them)."""

    #: The value is a mastership state that swaps as ``value`` maps it (master <-> backup).
    ROLE_SWAP = "role-swap"
    #: A time counter that moves forward by the router time between the snapshots
    #: (``value``: an :class:`UptimeWindow`).
    UPTIME = "uptime"
    #: A log: lines only add up at the end (lines kept: the item's ``tail``).
    APPEND_ONLY = "append-only"


@dataclass(frozen=True, slots=True)
class UptimeWindow:
    """How far an up-time may move between two snapshots (router seconds), and whether it may
    start again from zero (a restart the HA rules expect, e.g. FPCs without GRES)."""

    low: float
    high: float
    restart_ok: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """Judge the values at ``path`` with ``check`` (and its ``value``); ``origin`` says who
    wrote it (a test, the testbed, ``ha``, ``volatile``), ``why`` says it in plain words."""

    path: str
    check: SnapshotCheck | HACheck
    value: Any = None
    origin: str = "test"
    why: str = ""

    def matches(self, path: Path) -> bool:
        """Return True when this rule's path matches ``path`` (see the module docstring)."""
        return _matches(self.path, path)

    def label(self) -> str:
        """Return ``check value (origin)`` for listings (the built-in HA checks without
        their value: the reason says it)."""
        shown = self.value is not None and not isinstance(self.check, HACheck)
        value = f" {_shown(self.value)}" if shown else ""
        return f"{self.check.value}{value} ({self.origin})"


@functools.lru_cache(maxsize=1 << 16)
def _matches(pattern: str, path: Path) -> bool:
    """Return True when rule path ``pattern`` matches ``path``.  A pure function of two
    immutable values, remembered: every diff of a run asks it again for the same rules and
    the same value paths, thousands of times per snapshot."""
    glob = _glob(pattern)
    if "/" not in pattern:
        return any(glob.fullmatch(seg) or glob.fullmatch(seg.split("[", 1)[0])
                   for seg in path)
    return any(glob.fullmatch("/".join(path[:n])) for n in range(len(path), 0, -1))


@functools.lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    """Return ``pattern`` as a regular expression: ``*`` any characters (``/`` too), ``?`` one;
    everything else literal, brackets included (``route-engine[1]`` names an entry)."""
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.DOTALL)


@dataclass(frozen=True, slots=True)
class Judgement:
    """A check's verdict on one change, and the reason in plain words."""

    verdict: Verdict
    reason: str = ""


#: A check: (rule, kind, pre, post) -> a judgement, or None when it does not judge this kind.
CheckFn = Callable[[Rule, ChangeKind, Any, Any], Judgement | None]

_OK = Judgement(Verdict.OK)
_SAME, _CHANGED = ChangeKind.SAME, ChangeKind.CHANGED
_ADDED, _REMOVED = ChangeKind.ADDED, ChangeKind.REMOVED


def number(value: Any) -> float | None:
    """Return ``value`` as a number (an integer, or text such as ``"12"``/``"0.07"``), else
    None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.split()[0]) if value.strip() else None
        except ValueError:
            return None
    return None


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return f"{{{len(value)} values}}"
    if isinstance(value, re.Pattern):
        return repr(value.pattern)
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) + "]"
    text = str(value)
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def _moved(kind: ChangeKind, pre: Any, post: Any) -> str:
    if kind is _ADDED:
        return f"added: {_shown(post)}"
    if kind is _REMOVED:
        return f"removed: {_shown(pre)}"
    return f"{_shown(pre)} -> {_shown(post)}"


# ------------------------------------------------------------------------ the checks
def _ignore(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
    return _OK if kind is _SAME else Judgement(Verdict.IGNORED, _moved(kind, pre, post))


def _may_change(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
    return _OK if kind is _SAME else Judgement(Verdict.EXPECTED, _moved(kind, pre, post))


def _must_equal(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
    return _OK if kind is _SAME else Judgement(Verdict.UNEXPECTED, _moved(kind, pre, post))


def _must_change(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
    if kind is _SAME:
        return Judgement(Verdict.UNEXPECTED, f"did not change (still {_shown(pre)})")
    return Judgement(Verdict.EXPECTED, _moved(kind, pre, post))


def _numbers(kind: ChangeKind, pre: Any, post: Any) -> tuple[float, float] | Judgement:
    """Return both values as numbers, or the judgement when they are not (an addition or a
    removal, text that is no number)."""
    a, b = number(pre), number(post)
    if kind in (_ADDED, _REMOVED) or a is None or b is None:
        return Judgement(Verdict.UNEXPECTED, f"{_moved(kind, pre, post)} (not two numbers)")
    return a, b


def _tolerance(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
    if kind is _SAME:
        return _OK
    found = _numbers(kind, pre, post)
    if isinstance(found, Judgement):
        return found
    delta: Delta = rule.value
    ok = delta.allows(*found)
    words = "within" if ok else "beyond"
    return Judgement(Verdict.EXPECTED if ok else Verdict.UNEXPECTED,
                     f"{_moved(kind, pre, post)}, {words} delta {delta}")


def _increases(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
    if kind is _SAME:
        return _OK
    found = _numbers(kind, pre, post)
    if isinstance(found, Judgement):
        return found
    ok = found[1] >= found[0]
    return Judgement(Verdict.EXPECTED if ok else Verdict.UNEXPECTED,
                     f"{_moved(kind, pre, post)} ({'up' if ok else 'went down'})")


def _on_post(test: Callable[[Any, Any], bool], words: str) -> CheckFn:
    """Return a check of the post value alone (JSNAPy's value operators): a value that passes
    is fine whether or not it changed; one that fails, or is gone, is unexpected."""
    def check(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
        if kind is _REMOVED:
            return Judgement(Verdict.UNEXPECTED, f"gone (was {_shown(pre)}); {words} "
                                                 f"{_shown(rule.value)} expected")
        if not test(post, rule.value):
            return Judgement(Verdict.UNEXPECTED, f"{_shown(post)}, expected {words} "
                                                 f"{_shown(rule.value)}")
        if kind is _SAME:
            return _OK
        return Judgement(Verdict.EXPECTED, f"{_moved(kind, pre, post)} ({words} "
                                           f"{_shown(rule.value)})")
    return check


def _num_test(test: Callable[[float, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(post: Any, value: Any) -> bool:
        found = number(post)
        return found is not None and test(found, value)
    return check


def _same_text(post: Any, value: Any) -> bool:
    if isinstance(value, bool) or isinstance(post, bool):
        return post == value
    a, b = number(post), number(value)
    if a is not None and b is not None and not isinstance(value, str):
        return a == b
    return str(post) == str(value)


def _exists(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
    if kind is _REMOVED:
        return Judgement(Verdict.UNEXPECTED, f"gone (was {_shown(pre)}); expected to exist")
    return _OK if kind is _SAME else Judgement(Verdict.EXPECTED, _moved(kind, pre, post))


def _not_exists(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement:
    if kind is _REMOVED:
        return Judgement(Verdict.EXPECTED, _moved(kind, pre, post))
    return Judgement(Verdict.UNEXPECTED, f"{_shown(post)} exists; expected none")


def _list_not_less(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement | None:
    if kind is _REMOVED:
        return Judgement(Verdict.UNEXPECTED, f"{_moved(kind, pre, post)} (list-not-less)")
    return Judgement(Verdict.EXPECTED, _moved(kind, pre, post)) if kind is _ADDED else None


def _list_not_more(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement | None:
    if kind is _ADDED:
        return Judgement(Verdict.UNEXPECTED, f"{_moved(kind, pre, post)} (list-not-more)")
    return Judgement(Verdict.EXPECTED, _moved(kind, pre, post)) if kind is _REMOVED else None


def _role_swap(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement | None:
    if kind in (_ADDED, _REMOVED) or not isinstance(pre, str):
        return None
    swaps: Mapping[str, str] = rule.value
    wanted = swaps.get(pre.lower(), pre.lower())
    if str(post).lower() == wanted:
        return _OK if kind is _SAME else Judgement(Verdict.EXPECTED, _moved(kind, pre, post))
    return Judgement(Verdict.UNEXPECTED, f"{_moved(kind, pre, post)}; expected {wanted} "
                                         f"after the switchover")


def _uptime(rule: Rule, kind: ChangeKind, pre: Any, post: Any) -> Judgement | None:
    window: UptimeWindow = rule.value
    a, b = number(pre), number(post)
    if kind in (_ADDED, _REMOVED) or a is None or b is None:
        return None
    moved = b - a
    if window.restart_ok:  # judges restarts only; moving forward is the plain rule's
        restarted = moved < window.low and b <= window.high
        return Judgement(Verdict.EXPECTED, f"{a:g} -> {b:g} s (restarted)") if restarted \
            else None
    if window.low <= moved <= window.high:
        return _OK if kind is _SAME else Judgement(
            Verdict.EXPECTED, f"{a:g} -> {b:g} s (+{moved:g} s)")
    if moved < 0:
        why = "went back: restarted since the first snapshot"
    else:
        why = f"moved {moved:+g} s, expected {window.low:g} to {window.high:g} s"
    return Judgement(Verdict.UNEXPECTED, f"{a:g} -> {b:g} s ({why})")


#: Every check, by name.  APPEND_ONLY judges whole logs (:mod:`harness.snapshots.diff`).
CHECKS: dict[SnapshotCheck | HACheck, CheckFn] = {
    SnapshotCheck.IGNORE: _ignore,
    SnapshotCheck.MAY_CHANGE: _may_change,
    SnapshotCheck.MUST_EQUAL: _must_equal,
    SnapshotCheck.MUST_CHANGE: _must_change,
    SnapshotCheck.TOLERANCE: _tolerance,
    SnapshotCheck.INCREASES: _increases,
    SnapshotCheck.IN_RANGE: _on_post(_num_test(lambda n, v: v[0] <= n <= v[1]), "in range"),
    SnapshotCheck.NOT_RANGE: _on_post(_num_test(lambda n, v: not v[0] <= n <= v[1]),
                                      "outside"),
    SnapshotCheck.IS_EQUAL: _on_post(_same_text, "equal to"),
    SnapshotCheck.NOT_EQUAL: _on_post(lambda p, v: not _same_text(p, v), "other than"),
    SnapshotCheck.IS_GT: _on_post(_num_test(lambda n, v: n > v), "greater than"),
    SnapshotCheck.IS_LT: _on_post(_num_test(lambda n, v: n < v), "less than"),
    SnapshotCheck.EXISTS: _exists,
    SnapshotCheck.NOT_EXISTS: _not_exists,
    SnapshotCheck.CONTAINS: _on_post(lambda p, v: v in str(p), "containing"),
    SnapshotCheck.IS_IN: _on_post(lambda p, v: any(_same_text(p, x) for x in v), "one of"),
    SnapshotCheck.NOT_IN: _on_post(lambda p, v: not any(_same_text(p, x) for x in v),
                                   "none of"),
    SnapshotCheck.REGEX: _on_post(lambda p, v: v.search(str(p)) is not None, "matching"),
    SnapshotCheck.LIST_NOT_LESS: _list_not_less,
    SnapshotCheck.LIST_NOT_MORE: _list_not_more,
    HACheck.ROLE_SWAP: _role_swap,
    HACheck.UPTIME: _uptime,
    HACheck.APPEND_ONLY: lambda rule, kind, pre, post: None,
}

#: The rule that decides what no other rule does.
DEFAULT_RULE = Rule("*", SnapshotCheck.MUST_EQUAL, origin="default",
                    why="everything else must be equal")


def judge(rules: Sequence[Rule], path: Path, kind: ChangeKind, pre: Any, post: Any
          ) -> tuple[Rule, Judgement]:
    """Return the rule that decides the change at ``path`` and its judgement: the first of
    ``rules`` that matches the path and judges this kind of change, else :data:`DEFAULT_RULE`."""
    for rule in rules:
        if rule.matches(path):
            found = CHECKS[rule.check](rule, kind, pre, post)
            if found is not None:
                return rule, found
    found = _must_equal(DEFAULT_RULE, kind, pre, post)
    return DEFAULT_RULE, found


def rules_from(expect: Mapping[str, Any] | Sequence[Rule | SnapshotRuleSpec] | None,
               origin: str = "test") -> list[Rule]:
    """Return the rules ``expect`` gives: a list of :class:`Rule` or declared rules, or a
    mapping ``{path: check}`` / ``{path: {check: value}}`` (``{"fpc/*/temperature":
    {"delta": "10%"}, "configuration": "ignore"}``).

    Raises ValueError for an unknown check or a value the check does not take.
    """
    if expect is None:
        return []
    if isinstance(expect, Mapping):
        return [_rule_of(path, spec, origin) for path, spec in expect.items()]
    return [r if isinstance(r, Rule) else Rule(r.path, r.check, r.value, r.origin or origin)
            for r in expect]


def _rule_of(path: str, spec: Any, origin: str) -> Rule:
    if isinstance(spec, SnapshotCheck):
        return Rule(path, spec, origin=origin)
    if isinstance(spec, str):
        return Rule(path, _check(path, spec), origin=origin)
    if isinstance(spec, Mapping) and len(spec) == 1:
        (name, value), = spec.items()
        check = _check(path, str(name))
        try:
            return Rule(path, check, check_value(check, value), origin=origin)
        except ValueError as exc:
            raise ValueError(f"rule {path!r}: {name}: expected {exc}, got {value!r}") from None
    raise ValueError(f"rule {path!r}: expected a check name or {{check: value}}, got {spec!r}")


def _check(path: str, name: str) -> SnapshotCheck:
    try:
        return check_named(name)
    except ValueError as exc:
        raise ValueError(f"rule {path!r}: expected {exc}, got {name!r}") from None
