"""Expectations on a mastership log: how patterns read, what they match, the near misses they
report, and the exact text a failing assertion shows (the two columns, the elided stretches of
a long log, the cut of long lines).  Each case builds its own log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from harness.mastership import (
    EntryBase,
    EventCode,
    EventPattern,
    KeepaliveLoss,
    LogEntry,
    MastershipEvent,
    MastershipLog,
    NearMiss,
    NearMissReason,
    NewState,
    expect,
    expect_entry,
    expect_new_state,
    expect_transition,
    explain_comparison,
    match_exact,
    match_subsequence,
    parse_log,
)

T = datetime(2024, 1, 12, 21, 50)

SWITCH = """\
Mar  3 10:15:00 event = E_CMD_S, state = master, param = 0x0
Mar  3 10:15:00 event = E_REQ_G, state = master, param = 0x0
Mar  3 10:15:00 Currentstate: master NextState:giveup reason_code: 1
Mar  3 10:15:01 event = E_ACK_G, state = giveup, param = 0x0
Mar  3 10:15:01 new state = backup
"""


def switch(re: str | None = "re0") -> MastershipLog:
    return MastershipLog.parse(SWITCH, year=2023, re=re)


def event(code: str, state: str = "master", param: int = 0, re: str | None = None
          ) -> MastershipEvent:
    return MastershipEvent(timestamp=T, raw=f"event = {code}", re=re, code=EventCode[code],
                           state=state, param=param)


def numbered(count: int, events: dict[int, str]) -> list[LogEntry]:
    """A log of ``count`` entries, one a second: ``new state = sN``, or the event given."""
    lines = [f"Jan 12 21:{n // 60:02d}:{n % 60:02d} "
             + (f"event = {events[n]}, state = master, param = 0x0" if n in events
                else f"new state = s{n}") for n in range(count)]
    return parse_log("\n".join(lines), year=2024)


# ------------------------------------------------------------------------- how they read
#: Built inside the test (not at collection), so that the call is part of the test.
READINGS: list[tuple[Callable[[], EventPattern], str]] = [
    (lambda: expect("E_CMD_R"), "E_CMD_R"),
    (lambda: expect(EventCode.E_CMD_R, state="master", param=31, re="re0"),
     "re0: E_CMD_R state=master param=0x1f"),
    (lambda: EventPattern(kind=NewState), "NewState"),
    (lambda: EventPattern(kind=NewState, state="claim", param=2), "NewState state=claim param=0x2"),
    (lambda: expect_new_state("backup"), "new state = backup"),
    (lambda: expect_new_state("backup", re="re1"), "re1: new state = backup"),
    (lambda: expect_transition(), "Currentstate: * NextState:*"),
    (lambda: expect_transition("master", re="re0"), "re0: Currentstate: master NextState:*"),
    (lambda: expect_transition(next_state="backup"), "Currentstate: * NextState:backup"),
    (lambda: expect_transition("master", "giveup"), "Currentstate: master NextState:giveup"),
    (lambda: expect_entry(KeepaliveLoss), "KeepaliveLoss"),
    (lambda: expect_entry(KeepaliveLoss, re="re1"), "re1: KeepaliveLoss"),
    (lambda: expect_entry(KeepaliveLoss, label="loss >= 300 s"), "loss >= 300 s"),
    (lambda: expect_entry(KeepaliveLoss, label="loss >= 300 s", re="re1"), "re1: loss >= 300 s"),
]


@pytest.mark.parametrize(("build", "text"), READINGS, ids=[text for _, text in READINGS])
def test_a_pattern_reads_as_written(build: Callable[[], EventPattern], text: str) -> None:
    assert build().describe() == text


# ------------------------------------------------------------------------ what they match
def test_expect_checks_state_param_and_re() -> None:
    entry = event("E_CMD_R", param=0x1F, re="re1")
    assert expect("E_CMD_R", state="master", param=31, re="re1").matches(entry)
    assert not expect("E_CMD_R", param=0).matches(entry)
    assert not expect("E_CMD_R", re="re0").matches(entry)
    assert not expect("E_CMD_S").matches(entry)


def test_new_state_transition_and_entry_patterns_check_what_they_name() -> None:
    log = switch()
    assert expect_new_state("backup", re="re0") in log
    assert expect_new_state("backup", re="re1") not in log
    assert expect_new_state("master") not in log
    assert expect_transition("master", "giveup", re="re0") in log
    assert expect_transition("master", "giveup", re="re1") not in log
    assert expect_transition("master", "backup") not in log
    assert expect_entry(NewState, lambda e: e.state == "backup") in log
    assert expect_entry(NewState, lambda e: e.state == "master") not in log
    assert expect_entry(NewState, re="re1") not in log


def test_a_code_on_a_wider_kind_only_matches_events_of_that_code() -> None:
    pattern = EventPattern(code=EventCode.E_ACK_G, kind=EntryBase)
    log = switch()
    assert [log.entries.index(e) for e in log if pattern.matches(e)] == [3]


def test_differences_show_params_in_hex_and_join_with_commas() -> None:
    pattern = expect("E_CMD_R", state="backup", param=0)
    assert pattern.differences(event("E_CMD_R", param=0x1F, re="re1")) == [
        "state master instead of backup", "param 0x1f instead of 0x0"]
    assert expect_entry(NewState, lambda e: False).differences(
        NewState(timestamp=T, raw="", state="x")) == ["not as expected"]
    assert EventPattern(kind=EntryBase, param=0).differences(
        NewState(timestamp=T, raw="", state="x")) == ["param None instead of 0x0"]


# ----------------------------------------------------------------------------- near misses
def test_a_miss_at_the_first_position_it_could_take_is_a_near_miss() -> None:
    result = match_subsequence([event("E_CMD_S", re="re0")], [expect("E_CMD_S", state="backup",
                                                                     param=1)])
    assert result.near_misses == (NearMiss(0, result.entries[0], NearMissReason.MISMATCH,
                                           "state master instead of backup, "
                                           "param 0x0 instead of 0x1"),)


def test_a_match_before_the_previous_one_is_out_of_order_earlier() -> None:
    log = switch()
    result = log.match("E_ACK_G", "E_REQ_G")
    assert [(m.index, m.reason, m.detail) for m in result.near_misses] == [
        (1, NearMissReason.OUT_OF_ORDER, "earlier")]


def test_similar_codes_are_those_within_two_edits() -> None:
    entries = [event("E_ACK_G"), event("E_ACK_Y"), event("E_REQ_G"), event("E_NAK_C")]
    result = match_subsequence(entries, ["E_ACK_C"])
    # E_ACK_G and E_ACK_Y one edit, E_NAK_C two; E_REQ_G four.
    assert result.near_misses == (
        NearMiss(0, entries[0], NearMissReason.SIMILAR_CODE, "E_ACK_G"),
        NearMiss(1, entries[1], NearMissReason.SIMILAR_CODE, "E_ACK_Y"),
        NearMiss(3, entries[3], NearMissReason.SIMILAR_CODE, "E_NAK_C"),
    )


def test_an_exact_match_keeps_the_failure_and_its_near_misses() -> None:
    result = match_exact(switch().entries, ["E_CMD_S", expect("E_ACK_G", state="backup")])
    assert result.failed_index == 1 and result.exact
    assert [(m.index, m.reason) for m in result.near_misses] == [(3, NearMissReason.MISMATCH)]


# --------------------------------------------------------------------- what a failure shows
def test_failure_text_with_a_near_miss() -> None:
    result = switch().match("E_CMD_S", expect("E_ACK_G", state="backup"), "E_ORE_M")
    assert result.explain().splitlines() == [
        "mastership log: 1 of 3 expected entries found in order; missing #2 E_ACK_G "
        "state=backup",
        "expected (in order)      | log holds (5 entries)",
        "✓ 1 E_CMD_S              | ✓ re0: Mar 3 10:15:00 event = E_CMD_S, state = master, "
        "param = 0x0",
        "                         |   re0: Mar 3 10:15:00 event = E_REQ_G, state = master, "
        "param = 0x0",
        "                         |   re0: Mar 3 10:15:00 Currentstate: master NextState:giveup "
        "reason_code: 1",
        "                         | ~ re0: Mar 3 10:15:01 event = E_ACK_G, state = giveup, "
        "param = 0x0",
        "                         |   re0: Mar 3 10:15:01 new state = backup",
        "✗ 2 E_ACK_G state=backup |   (not found after entry 1)",
        "· 3 E_ORE_M              |   (not checked)",
        "near misses for ✗ 2 E_ACK_G state=backup:",
        "  ~ entry 4 (right code, other details differ: state giveup instead of backup): "
        "re0: Mar 3 10:15:01 event = E_ACK_G, state = giveup, param = 0x0",
    ]


def test_failure_text_when_the_first_pattern_is_missing() -> None:
    lines = switch(re=None).match("E_NAK_C", "E_CMD_S").explain().splitlines()
    assert lines[0] == "mastership log: 0 of 2 expected entries found in order; missing #1 E_NAK_C"
    assert lines[2] == "                    |   Mar 3 10:15:00 event = E_CMD_S, state = master, " \
                       "param = 0x0"
    assert lines[-2:] == ["✗ 1 E_NAK_C         |   (not found in the log)",
                          "· 2 E_CMD_S         |   (not checked)"]


def test_exact_match_text_marks_the_entries_no_pattern_wants() -> None:
    result = match_exact(switch().entries, ["E_CMD_S", "E_REQ_G"])
    assert result.explain().splitlines() == [
        "mastership log: 2 of 2 expected entries found in order, but 3 other entries "
        "(exact match)",
        "expected (in order) | log holds (5 entries)",
        "✓ 1 E_CMD_S         | ✓ re0: Mar 3 10:15:00 event = E_CMD_S, state = master, "
        "param = 0x0",
        "✓ 2 E_REQ_G         | ✓ re0: Mar 3 10:15:00 event = E_REQ_G, state = master, "
        "param = 0x0",
        "                    | + re0: Mar 3 10:15:00 Currentstate: master NextState:giveup "
        "reason_code: 1",
        "                    | + re0: Mar 3 10:15:01 event = E_ACK_G, state = giveup, "
        "param = 0x0",
        "                    | + re0: Mar 3 10:15:01 new state = backup",
    ]
    assert result.extra_indices == (2, 3, 4)


def test_a_long_log_shows_marked_entries_two_either_side_and_the_last() -> None:
    entries = numbered(45, {10: "E_CMD_S", 16: "E_CMD_S"})
    result = match_subsequence(entries, ["E_CMD_S", "E_CMD_S", "E_NAK_C"])

    def row(n: int, mark: str = " ", left: str = "") -> str:
        body = entries[n].raw
        return f"{left:<19} | {mark} {body}"

    assert result.explain().splitlines() == [
        "mastership log: 2 of 3 expected entries found in order; missing #3 E_NAK_C",
        "expected (in order) | log holds (45 entries)",
        f"{'':<19} |   … 8 more entries",
        row(8), row(9), row(10, "✓", "✓ 1 E_CMD_S"), row(11), row(12),
        f"{'':<19} |   … 1 more entry",
        row(14), row(15), row(16, "✓", "✓ 2 E_CMD_S"), row(17), row(18),
        f"{'':<19} |   … 23 more entries",
        row(42), row(43), row(44),
        "✗ 3 E_NAK_C         |   (not found after entry 17)",
    ]


def test_a_log_of_40_entries_is_shown_whole_and_of_41_elided() -> None:
    whole = match_subsequence(numbered(40, {}), ["E_NAK_C"]).explain()
    assert "more entr" not in whole and len(whole.splitlines()) == 2 + 40 + 1
    elided = match_subsequence(numbered(41, {}), ["E_NAK_C"]).explain().splitlines()
    assert elided[2:6] == [f"{'':<19} |   … 38 more entries",
                           f"{'':<19} |   Jan 12 21:00:38 new state = s38",
                           f"{'':<19} |   Jan 12 21:00:39 new state = s39",
                           f"{'':<19} |   Jan 12 21:00:40 new state = s40"]


def test_near_misses_and_extra_entries_are_shown_in_a_long_log() -> None:
    entries = numbered(60, {30: "E_ACK_G"})
    lines = match_subsequence(entries, ["E_ACK_C"]).explain().splitlines()
    assert f"{'':<19} | ~ Jan 12 21:00:30 event = E_ACK_G, state = master, param = 0x0" in lines
    assert lines[-1] == ("  ~ entry 31 (similar code: E_ACK_G): "
                         "Jan 12 21:00:30 event = E_ACK_G, state = master, param = 0x0")
    # In an exact match every entry no pattern wants is marked, so none is left out.
    extra = match_exact(numbered(60, {30: "E_ACK_G"}), ["E_ACK_G"]).explain().splitlines()
    assert len(extra) == 2 + 60 and not [line for line in extra if "more entr" in line]
    assert f"{'':<19} | + Jan 12 21:00:00 new state = s0" in extra


def test_long_texts_are_cut_on_both_sides() -> None:
    entries: list[LogEntry] = [
        NewState(timestamp=T, raw="", state="master"),
        NewState(timestamp=T, raw="x" * 110, state="master"),
        NewState(timestamp=T, raw="y" * 111, state="master", re="re1"),
    ]
    result = match_subsequence(entries, [expect_new_state("master"),
                                         expect_entry(KeepaliveLoss, label="L" * 40),
                                         expect_entry(KeepaliveLoss, label="M" * 41)])
    left = " " * 44
    assert result.explain().splitlines()[1:] == [
        f"{'expected (in order)':<44} | log holds (3 entries)",
        f"{'✓ 1 new state = master':<44} | ✓ (empty)",
        f"{left} |   {'x' * 110}",
        f"{left} |   re1: {'y' * 104}…",
        f"✗ 2 {'L' * 40} |   (not found after entry 1)",
        f"· 3 {'M' * 39}… |   (not checked)",
    ]


# ------------------------------------------------------------------------ the log value
def test_the_log_value_merges_iterates_and_splits_by_re() -> None:
    re0 = switch("re0")
    re1 = MastershipLog.parse("Mar  3 10:15:00 event = E_REQ_C, state = backup, param = 0x0\n"
                              "Mar  3 10:15:02 new state = master", year=2023, re="re1")
    merged = MastershipLog.merged(re0, re1)
    assert [(e.re, e.timestamp.second) for e in merged] == [
        ("re0", 0), ("re0", 0), ("re0", 0), ("re1", 0), ("re0", 1), ("re0", 1), ("re1", 2)]
    assert list(merged.on("re1")) == list(re1) and merged.on("re0") == re0
    assert len(merged.on("re2")) == 0
    assert [e.code for e in merged.events()] == [EventCode.E_CMD_S, EventCode.E_REQ_G,
                                                 EventCode.E_REQ_C, EventCode.E_ACK_G]
    assert [e.state for e in merged.of_kind(NewState)] == ["backup", "master"]


def test_comparisons_not_about_patterns_get_no_mastership_explanation() -> None:
    log = switch()
    assert explain_comparison("==", log, 42) is None
    assert explain_comparison("==", 42, log) is None
    assert explain_comparison("==", ["E_CMD_S"], ["E_CMD_S"]) is None
    lines = explain_comparison("not in", ["E_CMD_S", "E_REQ_G"], log)
    assert lines is not None
    assert lines[0] == "mastership log: the sequence was found, but it should not be there"
    assert lines[1] == "expected (in order) | log holds (5 entries)"
