"""The vocabulary and records of the run report: what a timeline entry is, where it comes from
and which lane it belongs to.  Frozen values only; no I/O.

Each :class:`TimelineEntry` carries its ``source`` (who says it happened: the harness observing,
an operation the harness ran, the router's own log) and its ``lane`` (the RE, an RE's switchover
readiness or an FPC it is about; None for the router as a whole), so a renderer can draw per-RE
and per-FPC lanes and tell what a router reported from what the harness inferred.

Lane states come only from :class:`StateDetail` entries: what an RE said of itself (``show
chassis routing-engine``, its mastership log's ``new state``), what the master said of its FPCs
(``show chassis fpc``), what the backup said of its readiness (``show system switchover``), or
that an RE did not answer.  A :class:`ResetDetail` entry is a break: the emulator rebuilt the
router, and no state carries across it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.router import OperationResult

__all__ = [
    "DEFAULT_RES",
    "Detail",
    "DETAIL_TYPES",
    "DisruptionDetail",
    "EntryKind",
    "LogDetail",
    "OperationDetail",
    "Outcome",
    "ReportError",
    "ResetDetail",
    "RouterInfo",
    "Source",
    "StateDetail",
    "TestEdge",
    "TestRecord",
    "TimelineEntry",
]

DEFAULT_RES = ("re0", "re1")


class ReportError(HarnessError):
    """A report file could not be read or written.  At fault: the file (or the directory)."""


class EntryKind(Enum):
    """What a timeline entry records."""

    TEST_START = "test-start"
    TEST_END = "test-end"
    OPERATION = "operation"
    STATE = "state"
    LOG_EVENT = "log-event"
    RESET = "reset"
    DISRUPTION = "disruption"


class Source(Enum):
    """Who says an entry happened."""

    #: pytest: a test started or ended.
    PYTEST = "pytest"
    #: The harness ran an HA operation and saw its end state.
    OPERATION = "operation"
    #: The harness asked the router (``show chassis routing-engine``, ``show chassis fpc``,
    #: ``show system switchover``) and was told, or got no answer at all.
    OBSERVED = "observed"
    #: The router wrote it (its mastership log).
    ROUTER_LOG = "router-log"
    #: The harness did it to the router outside any test's operations (an emulator reset).
    HARNESS = "harness"
    #: A test asked for it (a disruptive action, with the router's consent).
    TEST = "test"


class Outcome(Enum):
    """A test's final outcome, as pytest's terminal summary names it."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    XFAILED = "xfailed"
    XPASSED = "xpassed"

    @property
    def bad(self) -> bool:
        """Return True for the outcomes that fail an acceptance run."""
        return self in (Outcome.FAILED, Outcome.ERROR)


@dataclass(frozen=True, slots=True)
class TestEdge:
    """The start (``outcome`` None) or the end of a test on one router's timeline."""

    __test__: ClassVar[bool] = False  # not a test class for pytest to collect

    outcome: Outcome | None = None
    duration: float = 0.0


@dataclass(frozen=True, slots=True)
class OperationDetail:
    """An HA operation as :class:`~harness.router.OperationResult` reported it: the end state
    it waited for (``until``), the router time of its command (``started``) and, in router
    seconds from the command, when the control plane, the data plane and the backup came back
    (None: not waited for)."""

    operation: str
    target: str
    method: str | None
    master_before: str | None
    master_after: str | None
    duration: float
    wall_duration: float
    started: float | None = None
    until: str | None = None
    control_plane: float | None = None
    data_plane: float | None = None
    backup_ready: float | None = None
    fpcs_stayed_online: bool | None = None

    @classmethod
    def of(cls, result: OperationResult) -> OperationDetail:
        """Return the detail of ``result`` (``method`` only for a switchover)."""
        method = getattr(result, "method", None)
        p = result.phases
        return cls(result.operation, result.target, method, result.master_before,
                   result.master_after, result.duration, result.wall_duration, result.started,
                   result.until, p.control_plane, p.data_plane, p.backup_ready,
                   p.fpcs_stayed_online)


@dataclass(frozen=True, slots=True)
class StateDetail:
    """A lane's state as the router reported it: ``lane`` (``re0``, ``re1 ready``, ``fpc0``)
    was ``state`` from the entry's router time on; ``via`` says who said so (``re1: show
    chassis fpc``, ``re0: mastership log``, ``harness: no NETCONF answer``)."""

    lane: str
    state: str
    via: str


@dataclass(frozen=True, slots=True)
class ResetDetail:
    """The emulator rebuilt the router (before a test): a break in every lane."""

    why: str = "emulator reset before the test"


@dataclass(frozen=True, slots=True)
class DisruptionDetail:
    """A disruptive action the test took on the router with its consent."""

    kind: str
    what: str
    re: str | None
    lab: bool


@dataclass(frozen=True, slots=True)
class LogDetail:
    """A mastership-log entry a test matched; ``code`` is the event code or the entry type."""

    re: str | None
    code: str
    state: str | None
    param: int | None
    text: str


Detail: TypeAlias = (TestEdge | OperationDetail | StateDetail | LogDetail | ResetDetail
                     | DisruptionDetail)

#: The detail record of each kind of entry (what a store reads back).
DETAIL_TYPES: dict[EntryKind, type[Any]] = {
    EntryKind.TEST_START: TestEdge,
    EntryKind.TEST_END: TestEdge,
    EntryKind.OPERATION: OperationDetail,
    EntryKind.STATE: StateDetail,
    EntryKind.LOG_EVENT: LogDetail,
    EntryKind.RESET: ResetDetail,
    EntryKind.DISRUPTION: DisruptionDetail,
}

#: Who says each kind of entry happened, unless the recorder says otherwise.
DEFAULT_SOURCE: dict[EntryKind, Source] = {
    EntryKind.TEST_START: Source.PYTEST,
    EntryKind.TEST_END: Source.PYTEST,
    EntryKind.OPERATION: Source.OPERATION,
    EntryKind.STATE: Source.OBSERVED,
    EntryKind.LOG_EVENT: Source.ROUTER_LOG,
    EntryKind.RESET: Source.HARNESS,
    EntryKind.DISRUPTION: Source.TEST,
}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened on ``router``: router time (None when unknown), wall time (POSIX
    seconds), the test running then (``""`` outside a test), and what happened; ``source`` says
    who says so and ``lane`` which RE (None: the router as a whole) it is about."""

    router: str
    kind: EntryKind
    router_time: float | None
    wall_time: float
    nodeid: str
    detail: Detail
    source: Source | None = None
    lane: str | None = None

    def __post_init__(self) -> None:
        """Give the entry its kind's default source when none was given."""
        if self.source is None:
            object.__setattr__(self, "source", DEFAULT_SOURCE[self.kind])


@dataclass(frozen=True, slots=True)
class TestRecord:
    """A test of the run: the routers it used and its outcome (None while unfinished)."""

    __test__: ClassVar[bool] = False  # not a test class for pytest to collect

    nodeid: str
    routers: tuple[str, ...] = ()
    outcome: Outcome | None = None
    duration: float = 0.0
    wall_start: float = 0.0
    message: str = ""


@dataclass(frozen=True, slots=True)
class RouterInfo:
    """A router of the report: its platform, the RE lanes it gets and whether it is a lab
    router (not the emulator)."""

    name: str
    platform: str = ""
    re_names: tuple[str, ...] = DEFAULT_RES
    lab: bool = False
