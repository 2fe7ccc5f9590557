"""Tests of ``harness.mastership``: the chapter's sample log, clean emulator lines, marks, and
expectations with their failure text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from harness.mastership import (
    EventCode,
    ExpectationFailed,
    KeepaliveLoss,
    KeepaliveSendFailure,
    LogCleared,
    LogEntry,
    LogMark,
    MarkMismatch,
    MastershipEvent,
    MastershipLog,
    MastershipRequest,
    NearMissReason,
    NewState,
    PatternLike,
    SendFailure,
    StateTransition,
    Timestamp,
    UnknownEventCode,
    Unparsed,
    entries_since,
    expect,
    expect_entry,
    expect_new_state,
    expect_transition,
    explain_comparison,
    group_by_re,
    mark_log,
    match_exact,
    match_subsequence,
    merge_logs,
    parse_log,
    parse_logs,
)

DATA = Path(__file__).parent / "data"

# A switch issued on re0 (the master), as the emulator writes it: one entry per line.
SWITCH_RE0 = """\
Mar  3 10:15:00 event = E_CMD_S, state = master, param = 0x0
Mar  3 10:15:00 event = E_REQ_G, state = master, param = 0x0
Mar  3 10:15:00 Currentstate: master NextState:giveup reason_code: 1
Mar  3 10:15:00 timestamp: Fri Mar  3 10:15:00 2023
Mar  3 10:15:00 new state = giveup
Mar  3 10:15:01 event = E_ACK_G, state = giveup, param = 0x0
Mar  3 10:15:01 Currentstate: giveup NextState:backup reason_code: 1
Mar  3 10:15:01 timestamp: Fri Mar  3 10:15:01 2023
Mar  3 10:15:01 new state = backup
"""

# The other side of the same switch, on re1 (the backup that claims mastership).
SWITCH_RE1 = """\
Mar  3 10:15:00 event = E_REQ_C, state = backup, param = 0x0
Mar  3 10:15:00 Currentstate: backup NextState:claim reason_code: 2
Mar  3 10:15:00 new state = claim
Mar  3 10:15:01 event = E_ACK_C, state = claim, param = 0x0
Mar  3 10:15:01 Currentstate: claim NextState:master reason_code: 2
Mar  3 10:15:01 timestamp: Fri Mar  3 10:15:01 2023
Mar  3 10:15:01 new state = master
Mar  3 10:15:02 event = E_ORE_B, state = master, param = 0x0
"""


@pytest.fixture(scope="module")
def chapter_text() -> str:
    return (DATA / "mastership-chapter-sample.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def chapter(chapter_text: str) -> list[LogEntry]:
    return parse_log(chapter_text, year=2000, re="re0")


def _codes(entries: list[LogEntry]) -> list[EventCode]:
    return [e.code for e in entries if isinstance(e, MastershipEvent)]


# --------------------------------------------------------------------------- Table 107


def test_event_codes_are_table_107() -> None:
    assert len(EventCode) == 23
    assert EventCode.E_TMOUT.description == "A request timed out."
    assert EventCode.E_NAK_C.description == "A claim mastership request was not acknowledged."
    assert EventCode.from_name(" E_CMD_S ") is EventCode.E_CMD_S


def test_unknown_code_names_similar_ones() -> None:
    with pytest.raises(UnknownEventCode, match="E_CMD_S"):
        expect("E_CMD_X")


# --------------------------------------------------------------------------- chapter sample


def test_chapter_sample_events(chapter: list[LogEntry]) -> None:
    codes = _codes(chapter)
    assert codes.count(EventCode.E_CMD_R) == 1
    # Counted in the chapter's sample: 21:50:36, :38, :41, :43, :46, :48, :50.
    assert codes.count(EventCode.E_TMOUT) == 7
    assert codes.count(EventCode.E_MAXTRY) == 1
    assert len(codes) == 9


def test_chapter_sample_transitions(chapter: list[LogEntry]) -> None:
    steps = [
        (e.current_state, e.next_state, e.reason_code)
        for e in chapter
        if isinstance(e, StateTransition)
    ]
    middle = [("giveup", "giveup", 1)] * 7
    assert steps == [("master", "giveup", 1), *middle, ("giveup", "master", 1)]
    states = [e.state for e in chapter if isinstance(e, NewState)]
    assert states == ["giveup"] * 8 + ["master"]


def test_chapter_sample_keepalives(chapter: list[LogEntry]) -> None:
    assert [e.seconds for e in chapter if isinstance(e, KeepaliveLoss)] == [60, 80, 100, 120]
    sends = [e for e in chapter if isinstance(e, KeepaliveSendFailure)]
    failures = [(e.errno, e.total, e.window) for e in sends]
    assert failures == [(22, 6, 20)] * 2 + [(35, 7, 20)] * 2 + [(65, 7, 20)] * 2 + [(22, 6, 20)] * 2


def test_chapter_sample_requests_and_stamps(chapter: list[LogEntry]) -> None:
    assert [e.text for e in chapter if isinstance(e, MastershipRequest)] == [
        "you are the master"
    ] * 8
    assert [e.err for e in chapter if isinstance(e, SendFailure)] == [65] * 8
    stamps = [e.stamped for e in chapter if isinstance(e, Timestamp)]
    # The second one is wrapped as "timestamp: Wed\nJan 12 21:50:53 2000" in the chapter.
    assert stamps == [datetime(2000, 1, 12, 21, 50, 34), datetime(2000, 1, 12, 21, 50, 53)]
    assert sum(isinstance(e, LogCleared) for e in chapter) == 1


def test_chapter_sample_day_lost_to_a_wrap_is_recovered(chapter: list[LogEntry]) -> None:
    first_failure = next(e for e in chapter if isinstance(e, SendFailure))
    assert first_failure.raw.startswith("Jan\n21:50:34")
    assert first_failure.timestamp == datetime(2000, 1, 12, 21, 50, 34)


def test_chapter_sample_keeps_every_line(chapter: list[LogEntry], chapter_text: str) -> None:
    unparsed = [e for e in chapter if isinstance(e, Unparsed)]
    assert [e.text for e in unparsed] == ["user@host> show log mastership"]
    assert " ".join(" ".join(e.raw for e in chapter).split()) == " ".join(chapter_text.split())
    assert all(e.re == "re0" for e in chapter)
    times = [e.timestamp for e in chapter]
    assert times == sorted(times)
    assert times[-1] == datetime(2000, 1, 12, 21, 51, 26)


def test_chapter_sample_tells_the_release_story(chapter: list[LogEntry]) -> None:
    story: list[PatternLike] = [
        expect("E_CMD_R", state="master"),
        expect_transition("master", "giveup"),
        expect_new_state("giveup"),
        *[expect("E_TMOUT", state="giveup", param=0)] * 7,
        "E_MAXTRY",
        expect_transition("giveup", "master"),
        expect_new_state("master"),
        expect_entry(KeepaliveLoss, lambda e: e.seconds == 120, label="keepalive loss 120 s"),
    ]
    result = match_subsequence(chapter, story)
    assert result.matched, result.explain()
    assert result.matched_entries[0].raw.startswith("Jan 12 21:50:34 event = E_CMD_R")


# --------------------------------------------------------------------------- clean lines


def test_clean_event_line() -> None:
    (entry,) = parse_log(
        "Jan 12 21:50:34 event = E_CMD_R, state = master, param = 0x1f\n", year=2024, re="re1"
    )
    assert entry == MastershipEvent(
        timestamp=datetime(2024, 1, 12, 21, 50, 34),
        raw="Jan 12 21:50:34 event = E_CMD_R, state = master, param = 0x1f",
        re="re1",
        code=EventCode.E_CMD_R,
        state="master",
        param=0x1F,
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Currentstate: master NextState:giveupreason_code: 1", ("master", "giveup", 1)),
        ("Currentstate: backup NextState:claim", ("backup", "claim", None)),
    ],
)
def test_transition_variants(line: str, expected: tuple[str, str, int | None]) -> None:
    (entry,) = parse_log(f"Jan  2 00:00:00 {line}", year=2024)
    assert isinstance(entry, StateTransition)
    assert (entry.current_state, entry.next_state, entry.reason_code) == expected


def test_switch_story_on_both_res() -> None:
    story = parse_logs({"re0": SWITCH_RE0, "re1": SWITCH_RE1}, year=2023)
    assert len(story) == 17
    assert not [e for e in story if isinstance(e, Unparsed)]
    expected = [
        expect("E_CMD_S", state="master", re="re0"),
        expect("E_REQ_G", re="re0"),
        expect("E_REQ_C", re="re1"),
        expect("E_ACK_G", re="re0"),
        expect_new_state("backup", re="re0"),
        expect("E_ACK_C", state="claim", re="re1"),
        expect_new_state("master", re="re1"),
        expect("E_ORE_B", re="re1"),
    ]
    assert expected in MastershipLog(tuple(story))
    groups = group_by_re(story)
    assert sorted(groups, key=str) == ["re0", "re1"]
    assert groups["re0"] == parse_log(SWITCH_RE0, year=2023, re="re0")
    assert merge_logs(groups["re0"], groups["re1"]) == story


def test_merge_orders_same_second_by_argument_order() -> None:
    re0 = parse_log("Mar  3 10:15:00 new state = backup", year=2023, re="re0")
    re1 = parse_log(
        "Mar  3 10:14:59 new state = claim\nMar  3 10:15:00 new state = master", year=2023, re="re1"
    )
    merged = merge_logs(re0, re1)
    assert [(e.re, e.state) for e in merged if isinstance(e, NewState)] == [
        ("re1", "claim"),
        ("re0", "backup"),
        ("re1", "master"),
    ]


def test_year_wraps_from_december_to_january() -> None:
    text = (
        "Dec 31 23:59:58 event = E_CMD_A, state = backup, param = 0x0\n"
        "Jan  1 00:00:01 new state = master\n"
        "Jan  1 00:00:02 event = E_ORE_B, state = master, param = 0x0\n"
    )
    entries = parse_log(text, year=2023)
    assert [e.timestamp for e in entries] == [
        datetime(2023, 12, 31, 23, 59, 58),
        datetime(2024, 1, 1, 0, 0, 1),
        datetime(2024, 1, 1, 0, 0, 2),
    ]


def test_unparsed_line_is_preserved() -> None:
    text = (
        "Jan 12 21:50:34 event = E_CMD_R, state = master, param = 0x0\n"
        "Jan 12 21:50:35 ksyncd[42]: something Junos did not document\n"
        "Jan 12 21:50:36 event = E_FOO, state = master, param = 0x0\n"
        "Jan 12 21:50:37 new state = giveup\n"
        "stray line without a stamp\n"
    )
    entries = parse_log(text, year=2024)
    kinds = [type(e) for e in entries]
    assert kinds == [MastershipEvent, Unparsed, Unparsed, NewState, Unparsed]
    assert entries[1].raw == "Jan 12 21:50:35 ksyncd[42]: something Junos did not document"
    assert isinstance(entries[1], Unparsed)
    assert entries[1].text == "ksyncd[42]: something Junos did not document"
    assert isinstance(entries[2], Unparsed)
    assert entries[2].text == "event = E_FOO, state = master, param = 0x0"
    # The stray line does not swallow the good entry before it, and keeps its time.
    assert entries[4].raw == "stray line without a stamp"
    assert entries[4].timestamp == datetime(2024, 1, 12, 21, 50, 37)


def test_text_without_any_stamp() -> None:
    (entry,) = parse_log("no log here", year=2024)
    assert entry == Unparsed(
        timestamp=datetime(2024, 1, 1), raw="no log here", re=None, text="no log here"
    )
    assert parse_log("  \n", year=2024) == []


# --------------------------------------------------------------------------- marks


def _log(lines: list[str]) -> list[LogEntry]:
    return parse_log("\n".join(lines), year=2024, re="re0")


BEFORE = [
    "Jan 12 21:50:05 clear-log[865]: logfile cleared",
    "Jan 12 21:50:34 event = E_CMD_R, state = master, param = 0x0",
    "Jan 12 21:50:34 new state = giveup",
]


def test_entries_since_mark() -> None:
    mark = mark_log(_log(BEFORE))
    assert mark == LogMark(
        re="re0", count=3, last=datetime(2024, 1, 12, 21, 50, 34), last_raw=BEFORE[-1]
    )
    later = _log([*BEFORE, "Jan 12 21:50:53 event = E_MAXTRY, state = giveup, param = 0x0"])
    assert _codes(entries_since(later, mark)) == [EventCode.E_MAXTRY]
    assert entries_since(_log(BEFORE), mark) == []


def test_entries_since_mark_of_an_empty_log() -> None:
    mark = mark_log([], re="re0")
    assert entries_since(_log(BEFORE), mark) == _log(BEFORE)


def test_entries_since_mark_after_a_clear() -> None:
    mark = mark_log(_log(BEFORE))
    cleared = _log(
        [
            "Jan 12 22:00:00 clear-log[900]: logfile cleared",
            "Jan 12 22:00:05 event = E_CMD_S, state = master, param = 0x0",
        ]
    )
    since = entries_since(cleared, mark)
    assert [type(e) for e in since] == [LogCleared, MastershipEvent]


def test_entries_since_mark_after_a_clear_that_grew_past_the_mark() -> None:
    mark = mark_log(_log(BEFORE))
    regrown = _log(
        [
            "Jan 12 22:00:00 clear-log[900]: logfile cleared",
            "Jan 12 22:00:05 event = E_CMD_S, state = master, param = 0x0",
            "Jan 12 22:00:05 event = E_REQ_G, state = master, param = 0x0",
            "Jan 12 22:00:06 new state = backup",
        ]
    )
    assert entries_since(regrown, mark) == regrown


def test_entries_since_mark_after_a_rotation_without_clear_line() -> None:
    mark = mark_log(_log(BEFORE))
    rotated = _log(["Jan 12 22:00:05 event = E_CMD_S, state = master, param = 0x0"])
    assert entries_since(rotated, mark) == rotated


def test_mark_of_another_re_is_refused() -> None:
    mark = mark_log(_log(BEFORE))
    other = parse_log(BEFORE[1], year=2024, re="re1")
    with pytest.raises(MarkMismatch, match="re0"):
        entries_since(other, mark)


def test_log_value_marks() -> None:
    log = MastershipLog(tuple(_log(BEFORE)))
    mark = log.mark()
    grown = MastershipLog(tuple(_log([*BEFORE, "Jan 12 21:50:40 new state = master"])))
    assert len(grown.since(mark)) == 1
    assert [e.state for e in grown.since(mark).of_kind(NewState)] == ["master"]


# --------------------------------------------------------------------------- expectations


@pytest.fixture()
def switch_log() -> MastershipLog:
    return MastershipLog.parse(SWITCH_RE0, year=2023, re="re0")


def test_expectation_met(switch_log: MastershipLog) -> None:
    result = switch_log.match(
        expect("E_CMD_S", state="master"), "E_REQ_G", EventCode.E_ACK_G, expect_new_state("backup")
    )
    assert result.matched
    assert result.failed_index is None
    assert [type(e) for e in result.matched_entries] == [
        MastershipEvent,
        MastershipEvent,
        MastershipEvent,
        NewState,
    ]
    result.check()
    assert "4 of 4 expected entries found" in result.explain()


def test_failing_expectation_explains_with_near_miss(switch_log: MastershipLog) -> None:
    result = switch_log.match("E_CMD_S", "E_REQ_G", expect("E_ACK_G", state="backup"), "E_ORE_M")
    assert not result.matched
    assert result.failed_index == 2
    (near,) = result.near_misses
    assert near.reason is NearMissReason.MISMATCH
    assert near.detail == "state giveup instead of backup"
    text = result.explain()
    assert "missing #3 E_ACK_G state=backup" in text
    assert "✓ 1 E_CMD_S" in text and "✓ 2 E_REQ_G" in text
    assert "✗ 3 E_ACK_G state=backup" in text
    assert "· 4 E_ORE_M" in text and "(not checked)" in text
    assert "~ re0: Mar 3 10:15:01 event = E_ACK_G, state = giveup, param = 0x0" in text
    assert "state giveup instead of backup" in text
    # two columns: every table line has the separator at the same place
    table = text.splitlines()[1:-2]
    assert len({line.index(" | ") for line in table}) == 1


def test_near_miss_similar_code_and_out_of_order(switch_log: MastershipLog) -> None:
    similar = switch_log.match("E_ACK_C")
    assert [(m.reason, m.detail) for m in similar.near_misses] == [
        (NearMissReason.SIMILAR_CODE, "E_ACK_G")
    ]
    late = switch_log.match("E_ACK_G", "E_CMD_S")
    assert [(m.reason, m.index) for m in late.near_misses] == [(NearMissReason.OUT_OF_ORDER, 0)]
    twice = switch_log.match("E_CMD_S", "E_CMD_S")
    assert twice.near_misses[0].detail == "already matched by #1"
    assert "already matched by #1" in twice.explain()


def test_check_raises_expectation_failed(switch_log: MastershipLog) -> None:
    result = switch_log.match("E_CMD_S", expect_new_state("master"))
    with pytest.raises(ExpectationFailed) as caught:
        result.check()
    assert isinstance(caught.value, AssertionError)
    assert caught.value.result is result
    assert str(caught.value) == result.explain()
    assert "new state = master" in str(caught.value)
    assert "state backup instead of master" in str(caught.value)


def test_long_log_explain_elides_quiet_entries(chapter: list[LogEntry]) -> None:
    text = match_subsequence(chapter, ["E_CMD_R", "E_ACK_G"]).explain()
    assert "more entries" in text
    assert "✗ 2 E_ACK_G" in text
    assert len(text.splitlines()) < len(chapter)


def test_contains_and_equality(switch_log: MastershipLog) -> None:
    assert ["E_CMD_S", "E_ACK_G"] in switch_log
    assert "E_REQ_G" in switch_log
    assert ["E_ACK_G", "E_CMD_S"] not in switch_log
    assert 42 not in switch_log
    short = MastershipLog.parse(SWITCH_RE0.splitlines()[0], year=2023, re="re0")
    assert short == ["E_CMD_S"]
    assert switch_log != ["E_CMD_S"]
    assert switch_log == MastershipLog.parse(SWITCH_RE0, year=2023, re="re0")
    assert len(switch_log.events(EventCode.E_REQ_G)) == 1


def test_exact_match_lists_extra_entries(switch_log: MastershipLog) -> None:
    result = match_exact(switch_log.entries, ["E_CMD_S", "E_REQ_G"])
    assert not result.matched
    assert result.failed_index is None
    assert len(result.extra_indices) == 7
    assert "7 other entries (exact match)" in result.explain()
    assert "+ re0: Mar 3 10:15:01 new state = backup" in result.explain()


def test_assertrepr_for_in(switch_log: MastershipLog) -> None:
    lines = explain_comparison("in", ["E_CMD_S", "E_NAK_C"], switch_log)
    assert lines is not None
    assert lines[0] == "mastership log: 1 of 2 expected entries found in order; missing #2 E_NAK_C"
    assert any("✗ 2 E_NAK_C" in line for line in lines)


def test_assertrepr_for_equality_either_side(switch_log: MastershipLog) -> None:
    left = explain_comparison("==", switch_log, ["E_CMD_S"])
    right = explain_comparison("==", ["E_CMD_S"], switch_log)
    assert left is not None and left == right
    assert "exact match" in left[0]


def test_assertrepr_for_not_in(switch_log: MastershipLog) -> None:
    lines = explain_comparison("not in", "E_CMD_S", switch_log)
    assert lines is not None
    assert "should not be there" in lines[0]


@pytest.mark.parametrize(
    ("op", "left", "right"),
    [
        ("in", "E_CMD_S", ["not", "a", "log"]),
        ("==", 1, 2),
        ("<", ["E_CMD_S"], None),
        ("in", "E_BOGUS", MastershipLog(())),
        ("in", [object()], MastershipLog(())),
    ],
)
def test_assertrepr_leaves_others_alone(op: str, left: object, right: object) -> None:
    assert explain_comparison(op, left, right) is None


def test_pattern_with_predicate_and_re(switch_log: MastershipLog) -> None:
    backup_last = expect_entry(NewState, lambda e: e.state == "backup", re="re0")
    assert backup_last in switch_log
    assert expect_entry(NewState, lambda e: e.state == "backup", re="re1") not in switch_log
    assert expect_transition(next_state="backup") in switch_log
    assert expect_transition("claim") not in switch_log


