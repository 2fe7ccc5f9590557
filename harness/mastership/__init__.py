"""The mastership log (``/var/log/mastership``, ``show log mastership``) as typed records.

Spec: the Junos chapter "Host Redundancy Overview", section "Determining Why Mastership Switched"
(Table 107 "Logging Events" and its "Sample Output"), and ``junos/NOTES.md`` section 3.3.

Pure code, no I/O and no wall clock: text in, records out.

- :func:`parse_log` turns the text of one RE's log into a list of :data:`LogEntry` records.
  Syslog stamps carry no year, so the caller passes the year of the first entry; a Dec -> Jan
  step increments it.
- :class:`LogMark` / :func:`entries_since` show a test only what happened since it began (the
  sonic-mgmt loganalyzer idea), also when the log was cleared or rotated in between.
- :func:`expect` and friends build :class:`EventPattern` values; :func:`match_subsequence`
  finds them as an ordered subsequence and :meth:`MatchResult.explain` renders expected vs
  found, with near misses, for a pytest failure.
- :func:`merge_logs` / :func:`parse_logs` / :func:`group_by_re` combine both REs' logs into one
  story ordered by time.

Assertions read well through :class:`MastershipLog`, a value wrapping the entries:

- ``assert [expect("E_CMD_S", state="master"), "E_REQ_G"] in log`` -- the patterns occur in this
  order, other entries may sit in between (a single pattern or code name works too);
- ``assert log == [...]`` -- the log is exactly these entries, one pattern each, in order;
- the plugin's ``pytest_assertrepr_compare`` hook returns :func:`explain_comparison`
  so that a failing one prints
  :meth:`MatchResult.explain`.

The package's modules, one job each: :mod:`.codes` (Table 107), :mod:`.records`, :mod:`.parser`,
:mod:`.marks`, :mod:`.patterns`, :mod:`.matching`, :mod:`.result` (with the explanation),
:mod:`.log` (the value) and :mod:`.assertions` (pytest).
"""

from harness.mastership.assertions import (
    explain_comparison,
)
from harness.mastership.codes import (
    EventCode,
)
from harness.mastership.errors import (
    MarkMismatch,
    MastershipLogError,
    UnknownEventCode,
)
from harness.mastership.log import (
    MastershipLog,
)
from harness.mastership.marks import (
    LogMark,
    entries_since,
    mark_log,
)
from harness.mastership.matching import (
    match_exact,
    match_subsequence,
)
from harness.mastership.parser import (
    group_by_re,
    merge_logs,
    parse_log,
    parse_logs,
)
from harness.mastership.patterns import (
    EventPattern,
    PatternLike,
    expect,
    expect_entry,
    expect_new_state,
    expect_transition,
)
from harness.mastership.records import (
    EntryBase,
    KeepaliveLoss,
    KeepaliveSendFailure,
    LogCleared,
    LogEntry,
    MastershipEvent,
    MastershipRequest,
    NewState,
    SendFailure,
    StateTransition,
    Timestamp,
    Unparsed,
)
from harness.mastership.result import (
    ExpectationFailed,
    MatchResult,
    NearMiss,
    NearMissReason,
)

__all__ = [
    "EntryBase",
    "EventCode",
    "EventPattern",
    "ExpectationFailed",
    "KeepaliveLoss",
    "KeepaliveSendFailure",
    "LogCleared",
    "LogEntry",
    "LogMark",
    "MarkMismatch",
    "MastershipEvent",
    "MastershipLog",
    "MastershipLogError",
    "MastershipRequest",
    "MatchResult",
    "NearMiss",
    "NearMissReason",
    "NewState",
    "PatternLike",
    "SendFailure",
    "StateTransition",
    "Timestamp",
    "UnknownEventCode",
    "Unparsed",
    "entries_since",
    "expect",
    "expect_entry",
    "expect_new_state",
    "expect_transition",
    "explain_comparison",
    "group_by_re",
    "mark_log",
    "match_exact",
    "match_subsequence",
    "merge_logs",
    "parse_log",
    "parse_logs",
]
