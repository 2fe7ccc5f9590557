"""The mastership log parser at its edges: year-less stamps (a day lost to a line wrap, an
impossible date), ctime stamps inside bodies, text around entries, Table 107 names, and marks
over logs that were cleared or rotated.  Every case builds its own text: nothing is shared
between tests, so each assertion is checked against the parser as it runs."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime
from pathlib import Path

import pytest

from harness.mastership import (
    LogCleared,
    LogEntry,
    LogMark,
    MastershipEvent,
    NewState,
    Timestamp,
    UnknownEventCode,
    Unparsed,
    entries_since,
    expect,
    mark_log,
    parse_log,
)
from harness.mastership.codes import edit_distance


def test_ctime_stamp_in_a_body_is_read_as_a_date() -> None:
    (entry,) = parse_log("Jan 12 21:50:34 timestamp: Wed Jan 12 21:50:34 2000", year=2000)
    assert entry == Timestamp(timestamp=datetime(2000, 1, 12, 21, 50, 34),
                              raw="Jan 12 21:50:34 timestamp: Wed Jan 12 21:50:34 2000",
                              re=None, text="Wed Jan 12 21:50:34 2000",
                              stamped=datetime(2000, 1, 12, 21, 50, 34))


def test_timestamp_body_that_is_not_a_date_is_kept_as_text() -> None:
    (entry,) = parse_log("Jan 12 21:50:53 timestamp: Wed", year=2000)
    assert isinstance(entry, Timestamp)
    assert entry.text == "Wed" and entry.stamped is None


def test_stamp_without_a_day_at_the_start_is_the_first_of_its_month() -> None:
    (entry,) = parse_log("Mar\n21:50:34 new state = master", year=2024)
    assert entry.timestamp == datetime(2024, 3, 1, 21, 50, 34)


def test_stamp_without_a_day_takes_the_previous_entrys_day_in_the_same_month() -> None:
    entries = parse_log("Jan 12 21:50:00 new state = backup\nJan\n21:50:34 new state = master",
                        year=2024)
    assert [e.timestamp for e in entries] == [datetime(2024, 1, 12, 21, 50),
                                              datetime(2024, 1, 12, 21, 50, 34)]


def test_stamp_without_a_day_in_a_new_month_is_its_first_day() -> None:
    entries = parse_log("Jan 31 23:59:59 new state = backup\nFeb\n00:00:01 new state = master",
                        year=2024)
    assert entries[1].timestamp == datetime(2024, 2, 1, 0, 0, 1)


def test_impossible_first_stamp_falls_back_to_the_first_of_the_month_with_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        (entry,) = parse_log("Feb 29 12:00:00 new state = master", year=2023)
    assert entry.timestamp == datetime(2023, 2, 1)
    assert caplog.messages == ["impossible stamp 2 29 12:00:00 in year 2023"]


def test_impossible_later_stamp_keeps_the_previous_time(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        entries = parse_log("Feb 28 23:00:00 new state = backup\n"
                            "Feb 29 00:00:05 new state = master", year=2023)
    assert [e.timestamp for e in entries] == [datetime(2023, 2, 28, 23)] * 2
    assert caplog.messages == ["impossible stamp 2 29 00:00:05 in year 2023"]


def test_text_before_the_first_stamp_is_kept_first_with_the_first_entrys_time() -> None:
    text = ("user@host> show log mastership\n"
            "Jan 12 21:50:34 new state = giveup\n"
            "Jan 12 21:50:53 new state = master\n")
    entries = parse_log(text, year=2000, re="re1")
    assert entries[0] == Unparsed(timestamp=datetime(2000, 1, 12, 21, 50, 34),
                                  raw="user@host> show log mastership", re="re1",
                                  text="user@host> show log mastership")
    assert [type(e) for e in entries] == [Unparsed, NewState, NewState]


def test_unstamped_lines_after_a_good_entry_become_one_entry_of_their_own() -> None:
    text = "Jan 12 21:50:34 new state = giveup  \nstray one\nstray two\n"
    assert parse_log(text, year=2000) == [
        NewState(timestamp=datetime(2000, 1, 12, 21, 50, 34),
                 raw="Jan 12 21:50:34 new state = giveup", state="giveup"),
        Unparsed(timestamp=datetime(2000, 1, 12, 21, 50, 34), raw="stray one\nstray two",
                 text="stray one stray two"),
    ]


# ------------------------------------------------------------------------------ Table 107
@pytest.mark.parametrize(("name", "similar"), [
    ("E_CMD", " (similar: E_CMD_A, E_CMD_F, E_CMD_R, E_CMD_S)"),
    ("TMOUT", " (similar: E_TMOUT)"),
    ("E_ACK", " (similar: E_ACK_C, E_ACK_G, E_ACK_Y)"),
    ("BOGUS", ""),
])
def test_an_unknown_name_is_refused_with_the_codes_it_resembles(name: str, similar: str) -> None:
    with pytest.raises(UnknownEventCode) as info:
        expect(name)
    assert str(info.value) == f"{name!r} is not an event code of Table 107{similar}"


def test_an_unknown_name_is_quoted_up_to_64_characters() -> None:
    name = "E_" + "X" * 98
    with pytest.raises(UnknownEventCode) as info:
        expect(name)
    assert str(info.value) == f"{name[:64]!r} is not an event code of Table 107"


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("kitten", "sitting", 3), ("flaw", "lawn", 2), ("", "abc", 3), ("abc", "", 3),
    ("E_ACK_C", "E_ACK_G", 1), ("E_ACK_C", "E_NAK_C", 2), ("E_ACK_C", "E_REQ_G", 4),
    ("E_CMD", "E_CMD_S", 2), ("CMD_S", "E_CMD_S", 2), ("E__CMD_S", "E_CMD_S", 1),
    ("E_CMD_S_X", "E_CMD_S", 2), ("E_NULL", "E_NO_IPC", 5),
])
def test_edit_distance_of_near_miss_codes(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


# ---------------------------------------------------------------------------------- marks
def _log(*bodies: str, re: str = "re0") -> list[MastershipEvent | NewState | LogCleared]:
    text = "".join(f"Jan 12 21:50:{n:02d} {body}\n" for n, body in enumerate(bodies))
    return parse_log(text, year=2024, re=re)  # type: ignore[return-value]


def test_a_mark_names_its_re_given_or_found() -> None:
    assert mark_log([], re="re1") == LogMark(re="re1", count=0, last=None, last_raw=None)
    assert mark_log([]) == LogMark(re=None, count=0, last=None, last_raw=None)
    both = _log("new state = backup") + _log("new state = master", re="re1")
    assert mark_log(both).re is None
    assert mark_log(_log("new state = backup"), re="re1").re == "re1"


def test_mark_of_an_empty_log_sees_everything_after_it_even_past_a_clear() -> None:
    later = _log("new state = backup", "clear-log[865]: logfile cleared", "new state = master")
    assert entries_since(later, mark_log([], re="re0")) == later


def test_a_log_rotated_under_a_one_entry_mark_is_news_from_its_clear_line() -> None:
    mark = mark_log(_log("new state = backup"))
    rotated = _log("new state = giveup", "clear-log[865]: logfile cleared", "new state = master")
    assert [type(e) for e in entries_since(rotated, mark)] == [LogCleared, NewState]
    no_clear = _log("new state = giveup", "new state = master")
    assert entries_since(no_clear, mark) == no_clear


def test_same_time_other_text_at_the_mark_means_the_log_was_rotated(
        caplog: pytest.LogCaptureFixture) -> None:
    mark = mark_log(_log("new state = backup", "new state = giveup"))
    rotated = _log("new state = backup", "clear-log[865]: logfile cleared", "new state = master")
    with caplog.at_level(logging.DEBUG):
        since = entries_since(rotated, mark)
    assert since == rotated[1:]
    assert caplog.messages == ["mastership log of re0 was cleared or rotated since the mark"]


def test_a_mark_without_its_text_compares_times_only() -> None:
    mark = LogMark(re="re0", count=2, last=datetime(2024, 1, 12, 21, 50, 1))
    grown = _log("new state = backup", "new state = master", "new state = giveup")
    assert entries_since(grown, mark) == grown[2:]  # other text, same time: still the prefix
    later = parse_log("Jan 12 21:50:00 new state = backup\nJan 12 21:51:01 new state = giveup\n"
                      "Jan 12 21:51:02 new state = master", year=2024, re="re0")
    assert entries_since(later, mark) == later


# --- entries glued onto the previous line (a log pasted with its line breaks lost) ---------


def test_an_entry_glued_onto_the_previous_line_is_its_own_entry() -> None:
    text = ("Jan 12 21:50:23 failed to send RE info/keepalive: errno=22, total=6 in the last "
            "20 secJan 12 21:50:34 event = E_CMD_R, state = master, param = 0x0"
            "Jan 12 21:50:34 new state = giveup")
    first, event, new_state = parse_log(text, year=2000)
    assert not isinstance(first, Unparsed) and first.raw.endswith("in the last 20 sec")
    assert isinstance(event, MastershipEvent) and event.code.name == "E_CMD_R"
    assert (event.state, event.param, event.timestamp) == ("master", 0,
                                                           datetime(2000, 1, 12, 21, 50, 34))
    assert isinstance(new_state, NewState) and new_state.state == "giveup"


def test_the_chapter_sample_with_lost_line_breaks_reads_the_same() -> None:
    sample = Path(__file__).parent / "data" / "mastership-chapter-sample.txt"
    text = sample.read_text(encoding="utf-8")
    months = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    glued = re.sub(rf"\n(?=(?:{months}) +\d)", "", text)  # every stamped line glued on
    assert glued.count("\n") < text.count("\n") // 2

    def meaning(entries: list[LogEntry]) -> list[LogEntry]:
        # Everything but the raw text, whose line breaks were lost on purpose.
        return [dataclasses.replace(e, raw="") for e in entries]

    assert meaning(parse_log(glued, year=2000)) == meaning(parse_log(text, year=2000))
    codes = [e.code.name for e in parse_log(glued, year=2000) if isinstance(e, MastershipEvent)]
    assert codes[0] == "E_CMD_R"


def test_a_glued_entry_does_not_split_a_ctime_stamp_in_its_body() -> None:
    new_state, stamp = parse_log("Jan 12 21:50:34 new state = giveupJan 12 21:50:34 "
                                 "timestamp: Wed Jan 12 21:50:34 2000", year=2000)
    assert isinstance(new_state, NewState) and new_state.state == "giveup"
    assert isinstance(stamp, Timestamp) and stamp.stamped == datetime(2000, 1, 12, 21, 50, 34)
