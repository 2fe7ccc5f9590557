"""The plugin's command-line options: one group, one prefix-free set, values checked on parsing.

Each ``type=`` callable raises :class:`pytest.UsageError` with the option's name, what was
expected and what was given, so a bad value stops the run before anything is collected.  They
return plain strings and numbers: pytest-xdist re-parses the command line on every worker, and
the values must mean the same there.

``-n N`` without ``--dist``: :func:`choose_distribution` makes it ``--dist loadgroup`` (xdist
itself would pick ``load``), so that the tests of one router stay on one worker; workers, which
parse the command line again and would not know, learn it by :func:`follow_distribution`.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_PROGRESS_AFTER",
    "GROUP",
    "PROGRESS_AFTER_INI",
    "WORKER_DIST",
    "add_options",
    "choose_distribution",
    "follow_distribution",
    "default_lock_dir",
    "lock_dir",
    "lock_timeout",
    "progress_after",
    "record_dir",
    "replay_dir",
    "report_dir",
    "router_name",
    "snapshot_file",
    "snapshot_mode",
    "testbed_file",
]

log = logging.getLogger(__name__)

GROUP = "re-harness"
#: The ``workerinput`` key by which the xdist controller tells workers its ``--dist`` mode.
WORKER_DIST = "re_harness_dist"
DEFAULT_LOCK_TIMEOUT = 3600.0
#: The ini key: lab waits at least this long (seconds) show a live progress line.
PROGRESS_AFTER_INI = "re_harness_progress_after"
DEFAULT_PROGRESS_AFTER = 5.0
_ROUTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def testbed_file(value: str) -> str:
    """Check a ``--testbed`` value; return it.  The file is loaded (and fully validated) in
    ``pytest_configure``, because a bare name may also refer to a packaged testbed.

    Raises pytest.UsageError for an empty value or an existing directory.
    """
    if not value.strip():
        raise pytest.UsageError("--testbed: expected a testbed YAML file, got an empty value")
    if Path(value).is_dir():
        raise pytest.UsageError(f"--testbed: expected a testbed YAML file, got directory "
                                f"{value!r}")
    return value


def router_name(value: str) -> str:
    """Check a ``--router`` value (a name as in the testbed's ``routers:``); return it.

    Raises pytest.UsageError for a value that cannot be a router name.
    """
    if not _ROUTER_NAME.match(value):
        raise pytest.UsageError(f"--router: expected a router name of the testbed (letters, "
                                f"digits, '_', '.', '-'), got {value!r}")
    return value


def report_dir(value: str) -> str:
    """Check a ``--report-dir`` value; return it as an absolute path (workers of pytest-xdist
    may run elsewhere).  The directory is created when the report is written.

    Raises pytest.UsageError for an empty value or a path that is an existing file.
    """
    return _directory("--report-dir", value)


def lock_dir(value: str) -> str:
    """Check a ``--lock-dir`` value; return it as an absolute path.

    Raises pytest.UsageError for an empty value or a path that is an existing file.
    """
    return _directory("--lock-dir", value)


def _directory(option: str, value: str) -> str:
    """Return directory ``value`` of ``option`` as an absolute path.

    Raises pytest.UsageError for an empty value or a path that is an existing file.
    """
    if not value.strip():
        raise pytest.UsageError(f"{option}: expected a directory, got an empty value")
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise pytest.UsageError(f"{option}: expected a directory, got the file {value!r}")
    return str(path.resolve())


def record_dir(value: str) -> str:
    """Check a ``--record`` value; return it as an absolute path (created when written).

    Raises pytest.UsageError for an empty value or a path that is an existing file.
    """
    return _directory("--record", value)


def replay_dir(value: str) -> str:
    """Check a ``--replay`` value: an existing directory; return it as an absolute path (the
    recording in it is read in ``pytest_configure``).

    Raises pytest.UsageError for an empty value or a path that is no directory.
    """
    path = _directory("--replay", value)
    if not Path(path).is_dir():
        raise pytest.UsageError(f"--replay: expected a directory written by --record, got "
                                f"{value!r} (no such directory)")
    return path


#: The values of ``--snapshots``.
SNAPSHOT_MODES = ("disruptive", "marked", "off")


def snapshot_mode(value: str) -> str:
    """Check a ``--snapshots`` value; return it.

    Raises pytest.UsageError for anything but one of :data:`SNAPSHOT_MODES`.
    """
    if value not in SNAPSHOT_MODES:
        raise pytest.UsageError(f"--snapshots: expected one of {', '.join(SNAPSHOT_MODES)}, "
                                f"got {value!r}")
    return value


def snapshot_file(value: str) -> str:
    """Check a ``--snapshot-file`` value: an existing file; return it as an absolute path (it
    is loaded and validated in ``pytest_configure``).

    Raises pytest.UsageError for an empty value or a path that is not a file.
    """
    path = Path(value).expanduser()
    if not value.strip() or not path.is_file():
        raise pytest.UsageError(f"--snapshot-file: expected a YAML file of snapshot items and "
                                f"rules, got {value!r}")
    return str(path.resolve())


def lock_timeout(value: str) -> float:
    """Parse a ``--lock-timeout`` value (seconds, > 0); return it.

    Raises pytest.UsageError for anything but a positive finite number.
    """
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise pytest.UsageError(f"--lock-timeout: expected seconds > 0, got {value!r}")
    return seconds


def progress_after(config: pytest.Config) -> float:
    """Return the ini value ``re_harness_progress_after`` (seconds >= 0): lab waits at least
    this long show a live progress line on the terminal.

    Raises pytest.UsageError for anything but a finite number >= 0.
    """
    value = str(config.getini(PROGRESS_AFTER_INI)).strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise pytest.UsageError(f"{PROGRESS_AFTER_INI}: expected seconds >= 0, got {value!r}")
    return seconds


def default_lock_dir() -> str:
    """Return the lock directory used without ``--lock-dir``: one per machine and user, so
    that runs started by the same user on the same host see each other's locks."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    return str(Path(tempfile.gettempdir()) / f"re-harness-locks-{user}")


def add_options(parser: pytest.Parser) -> None:
    """Add the plugin's options to ``parser``, in the ``re-harness`` group."""
    group = parser.getgroup(GROUP, "dual Routing Engine redundancy harness")
    group.addoption("--testbed", default=None, metavar="FILE", type=testbed_file,
                    help="testbed YAML, or the name of a packaged one such as emulated-fleet "
                         "(default: the packaged emulated.yaml)")
    group.addoption("--allow-disruptive", action="store_true", default=False,
                    help="allow disruption of lab routers whose testbed entry also says "
                         "allow_disruptive: true: tests marked disruptive run, and any test's "
                         "switchover, halt, reboot, power, fault or configuration change is "
                         "allowed (without it they raise DisruptiveNotAllowedError; emulated "
                         "routers need only the testbed entry)")
    group.addoption("--router", action="append", default=[], metavar="NAME", type=router_name,
                    help="run only against this router of the testbed (repeatable)")
    group.addoption("--report-dir", default=None, metavar="DIR", type=report_dir,
                    help="write the HTML timeline report (report.html) and report.json here")
    group.addoption("--lock-dir", default=None, metavar="DIR", type=lock_dir,
                    help="where the per-router locks of disruptive tests on lab routers live; "
                         "runs sharing a lab must share it (default: a directory under the "
                         "system temp dir)")
    group.addoption("--lock-timeout", default=DEFAULT_LOCK_TIMEOUT, metavar="SECONDS",
                    type=lock_timeout,
                    help="how long a disruptive test waits for a lab router another run or "
                         f"worker holds (default: {DEFAULT_LOCK_TIMEOUT:g})")
    group.addoption("--snapshots", default="disruptive", metavar="MODE", type=snapshot_mode,
                    help="take pre/post snapshots and an HA-aware diff around: disruptive "
                         "(tests marked disruptive or snapshots; the default), marked (only "
                         "tests marked snapshots) or off")
    group.addoption("--snapshot-file", default=None, metavar="FILE", type=snapshot_file,
                    help="YAML file of more snapshot items and diff rules (the keys of a "
                         "testbed's snapshots: section)")
    group.addoption("--record", default=None, metavar="DIR", type=record_dir,
                    help="record every RPC and reply of the run (and the lab clock and fault "
                         "commands) into DIR, for --replay")
    group.addoption("--replay", default=None, metavar="DIR", type=replay_dir,
                    help="run the tests offline from a recording made with --record: no "
                         "router and no emulator is contacted")
    parser.addini(PROGRESS_AFTER_INI, default=str(DEFAULT_PROGRESS_AFTER),
                  help="lab routers: waits of at least this many seconds (hold-down, "
                       f"keepalive-time, reboot) show live progress (default: "
                       f"{DEFAULT_PROGRESS_AFTER:g})")


def choose_distribution(option: Any) -> bool:
    """Make ``-n N`` mean ``-n N --dist loadgroup`` when the user chose no ``--dist``.

    ``option`` is ``config.option``.  xdist turns ``--dist no`` (its default) into ``load`` when
    ``-n`` is given; this runs first and picks ``loadgroup`` instead, so each router's tests (one
    ``xdist_group`` per router) run on one worker.  Return True when it changed the mode.
    """
    workers = getattr(option, "numprocesses", None)
    if not workers or getattr(option, "distload", False):
        return False
    if getattr(option, "dist", "no") != "no":
        return False
    option.dist = "loadgroup"
    log.debug("-n %s without --dist: using --dist loadgroup (one worker per router)", workers)
    return True


def follow_distribution(config: pytest.Config) -> None:
    """On an xdist worker: adopt the controller's ``loadgroup`` choice.

    A worker derives its ``loadgroup`` option (which makes it suffix node ids with their
    ``xdist_group``, for the controller's scheduler) from its own command line, where no
    ``--dist`` was given; the controller passes the mode it chose in ``workerinput``.
    """
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput and workerinput.get(WORKER_DIST) == "loadgroup":
        config.option.loadgroup = True
