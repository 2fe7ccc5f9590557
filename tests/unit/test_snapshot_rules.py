"""Tests of ``harness.snapshots.rules``: how a rule's path matches (pyATS key vs glob), how each
check judges a change (JSNAPy's operators), the order rules are tried in, and rules written as a
mapping.  Pure: no router."""

from __future__ import annotations

import pytest

from harness.snapshots.rules import (
    CHECKS,
    ChangeKind,
    HACheck,
    Rule,
    UptimeWindow,
    Verdict,
    judge,
    number,
    rules_from,
)
from re_contract.snapshots import Delta, SnapshotCheck, check_value, parse_delta

C = SnapshotCheck
SAME, CHANGED, ADDED, REMOVED = (ChangeKind.SAME, ChangeKind.CHANGED, ChangeKind.ADDED,
                                 ChangeKind.REMOVED)
PATH = ("re-status", "re0", "route-engine[1]", "up-time")


def verdict(check: SnapshotCheck | HACheck, kind: ChangeKind, pre: object, post: object,
            value: object = None) -> Verdict | None:
    rule = Rule("x", check, value)
    found = CHECKS[check](rule, kind, pre, post)
    return None if found is None else found.verdict


# ------------------------------------------------------------------------------ matching
@pytest.mark.parametrize(("pattern", "matches"), [
    ("up-time", True),                          # a bare key, at any level (pyATS exclude)
    ("route-engine", True),                     # a key names its keyed entries too
    ("route-engine[1]", True),
    ("route-engine[0]", False),
    ("re0", True),
    ("up-*", True),
    ("uptime", False),
    ("re-status/*/up-time", True),              # a glob over the whole path
    ("re-status/re1/*", False),
    ("re-status/re0", True),                    # a path names what is under it
    ("re-status/*/route-engine[1]", True),
    ("versions/*", False),
])
def test_a_rule_path_is_a_key_at_any_level_or_a_glob_over_the_path(pattern: str,
                                                                    matches: bool) -> None:
    assert Rule(pattern, C.IGNORE).matches(PATH) is matches


def test_a_remembered_match_answers_for_its_own_pattern_and_path_only() -> None:
    # Matches are remembered per (pattern, path): asked in any order, again and again, each
    # pair keeps its own answer, whatever the rule's check or value.
    other = ("re-status", "re1", "route-engine[0]", "up-time")
    asked = [(p, path) for _ in range(3) for p in ("re0", "route-engine[1]", "re-status/re0")
             for path in (PATH, other, PATH[:2])]
    answers = [Rule(p, C.IGNORE if n % 2 else C.MUST_EQUAL, n).matches(path)
               for n, (p, path) in enumerate(asked)]
    assert answers[:9] == answers[9:18] == answers[18:]
    assert answers[:9] == [True, False, True, True, False, False, True, False, True]


# ------------------------------------------------------------------------------ the checks
def test_must_equal_is_fine_when_equal_and_unexpected_otherwise() -> None:
    assert verdict(C.MUST_EQUAL, SAME, "a", "a") is Verdict.OK
    assert verdict(C.MUST_EQUAL, CHANGED, "a", "b") is Verdict.UNEXPECTED
    assert verdict(C.MUST_EQUAL, ADDED, None, "b") is Verdict.UNEXPECTED


def test_ignore_and_may_change() -> None:
    assert verdict(C.IGNORE, CHANGED, 1, 2) is Verdict.IGNORED
    assert verdict(C.IGNORE, SAME, 1, 1) is Verdict.OK
    assert verdict(C.MAY_CHANGE, REMOVED, 1, None) is Verdict.EXPECTED


def test_must_change_fails_a_value_that_stayed() -> None:
    assert verdict(C.MUST_CHANGE, SAME, "x", "x") is Verdict.UNEXPECTED
    assert verdict(C.MUST_CHANGE, CHANGED, "x", "y") is Verdict.EXPECTED


@pytest.mark.parametrize(("delta", "pre", "post", "ok"), [
    ("10%", 100, 109, True), ("10%", 100, 89, False), ("10%", 100, 91, True),
    ("+10%", 100, 95, False), ("+10%", 100, 110, True),
    ("-5", 100, 96, True), ("-5", 100, 101, False), (5, "100", "104.5", True),
])
def test_tolerance_is_jsnapys_delta(delta: object, pre: object, post: object, ok: bool) -> None:
    found = verdict(C.TOLERANCE, CHANGED, pre, post, parse_delta(delta))
    assert found is (Verdict.EXPECTED if ok else Verdict.UNEXPECTED)


def test_tolerance_refuses_what_is_not_two_numbers() -> None:
    assert verdict(C.TOLERANCE, CHANGED, "Online", "Offline", Delta(1)) is Verdict.UNEXPECTED


@pytest.mark.parametrize(("check", "value", "post", "ok"), [
    (C.IN_RANGE, (10, 20), "15", True), (C.IN_RANGE, (10, 20), 21, False),
    (C.NOT_RANGE, (10, 20), 21, True), (C.NOT_RANGE, (10, 20), 10, False),
    (C.IS_EQUAL, "Online", "Online", True), (C.IS_EQUAL, "Online", "Offline", False),
    (C.IS_EQUAL, 2, "2", True), (C.NOT_EQUAL, "Offline", "Online", True),
    (C.IS_GT, 5, "6", True), (C.IS_GT, 5, 5, False), (C.IS_LT, 5, 4, True),
    (C.CONTAINS, "OK", "status OK", True), (C.CONTAINS, "OK", "bad", False),
    (C.IS_IN, ("Online", "Ready"), "Ready", True), (C.IS_IN, ("Online",), "Offline", False),
    (C.NOT_IN, ("Offline", "Empty"), "Online", True), (C.NOT_IN, (0, 1), "1", False),
    (C.REGEX, check_value(C.REGEX, r"^\d+\.\d+"), "15.1F5", True),
    (C.REGEX, check_value(C.REGEX, r"^\d+$"), "15.1F5", False),
])
def test_value_checks_judge_the_post_value(check: SnapshotCheck, value: object, post: object,
                                           ok: bool) -> None:
    assert verdict(check, SAME, post, post, value) is (Verdict.OK if ok else Verdict.UNEXPECTED)
    assert verdict(check, REMOVED, post, None, value) is Verdict.UNEXPECTED


def test_exists_and_not_exists() -> None:
    assert verdict(C.EXISTS, REMOVED, 1, None) is Verdict.UNEXPECTED
    assert verdict(C.EXISTS, SAME, 1, 1) is Verdict.OK
    assert verdict(C.NOT_EXISTS, ADDED, None, 1) is Verdict.UNEXPECTED
    assert verdict(C.NOT_EXISTS, REMOVED, 1, None) is Verdict.EXPECTED


def test_list_checks_judge_additions_and_removals_only() -> None:
    assert verdict(C.LIST_NOT_LESS, REMOVED, {}, None) is Verdict.UNEXPECTED
    assert verdict(C.LIST_NOT_LESS, ADDED, None, {}) is Verdict.EXPECTED
    assert verdict(C.LIST_NOT_LESS, CHANGED, 1, 2) is None
    assert verdict(C.LIST_NOT_MORE, ADDED, None, {}) is Verdict.UNEXPECTED


def test_increases() -> None:
    assert verdict(C.INCREASES, CHANGED, 5, 6) is Verdict.EXPECTED
    assert verdict(C.INCREASES, CHANGED, 6, 5) is Verdict.UNEXPECTED


def test_role_swap_wants_the_other_role() -> None:
    swap = {"master": "backup", "backup": "master"}
    assert verdict(HACheck.ROLE_SWAP, CHANGED, "master", "backup", swap) is Verdict.EXPECTED
    assert verdict(HACheck.ROLE_SWAP, CHANGED, "master", "disabled", swap) is Verdict.UNEXPECTED
    assert verdict(HACheck.ROLE_SWAP, SAME, "master", "master", swap) is Verdict.UNEXPECTED


def test_uptime_moves_by_the_time_between_snapshots() -> None:
    window = UptimeWindow(98, 102)
    assert verdict(HACheck.UPTIME, CHANGED, 1000, 1100, window) is Verdict.EXPECTED
    assert verdict(HACheck.UPTIME, CHANGED, 1000, 1500, window) is Verdict.UNEXPECTED
    assert verdict(HACheck.UPTIME, CHANGED, 1000, 40, window) is Verdict.UNEXPECTED
    restart = UptimeWindow(98, 102, restart_ok=True)
    assert verdict(HACheck.UPTIME, CHANGED, 1000, 40, restart) is Verdict.EXPECTED
    # A restart rule leaves moving forward to the plain uptime rule.
    assert verdict(HACheck.UPTIME, CHANGED, 1000, 1100, restart) is None


def test_number_reads_junos_text() -> None:
    assert number("0.07") == 0.07 and number(12) == 12.0 and number("32719 MB") == 32719.0
    assert number("Online") is None and number(True) is None


# ------------------------------------------------------------------------------ order
def test_the_first_rule_that_judges_a_change_decides() -> None:
    rules = [Rule("re-status/*/route-engine[*]", C.LIST_NOT_LESS),  # judges no plain change
             Rule("up-time", C.IGNORE), Rule("*", C.MUST_CHANGE)]
    rule, found = judge(rules, PATH, CHANGED, 1, 2)
    assert rule.check is C.IGNORE and found.verdict is Verdict.IGNORED


def test_without_a_rule_a_value_must_be_equal() -> None:
    rule, found = judge([], PATH, CHANGED, 1, 2)
    assert rule.origin == "default" and found.verdict is Verdict.UNEXPECTED


# ------------------------------------------------------------------------------ writing
def test_rules_as_a_mapping_accept_jsnapy_and_pyats_names() -> None:
    rules = rules_from({"fpc/*/temperature": {"delta": "10%"}, "configuration": "exclude",
                        "fpc/*/state": {"is-equal": "Online"}})
    assert [r.check for r in rules] == [C.TOLERANCE, C.IGNORE, C.IS_EQUAL]
    assert rules[0].value == Delta(10, percent=True)


@pytest.mark.parametrize(("expect", "words"), [
    ({"x": "no-such-check"}, "expected a check among"),
    ({"x": {"in-range": [5]}}, "expected a pair of numbers"),
    ({"x": {"ignore": 3}}, "expected no value with check ignore"),
    ({"x": 3}, "expected a check name or {check: value}"),
])
def test_a_bad_rule_says_what_was_expected(expect: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match="rule 'x'") as raised:
        rules_from(expect)
    assert words in str(raised.value)
