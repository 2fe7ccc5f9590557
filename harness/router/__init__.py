"""A dual-RE router of the testbed, as the suites drive it: :class:`DualRERouter` (a facade)
over its sessions, status queries, configuration and HA operations (one module each here), and
the results of those operations.  The errors are :mod:`harness.errors`' (re-exported for the
suites that catch them from here)."""

from harness.errors import (
    ConnectError,
    DisruptiveNotAllowedError,
    NoMasterError,
    OperationTimeoutError,
    RouterUnreachableError,
    SwitchoverFailedError,
    SwitchoverRefusedError,
    WaitTimeoutError,
)
from harness.router.facade import DualRERouter
from harness.router.ha import SWITCH_RPCS
from harness.router.results import OperationResult, ShutdownResult, SwitchoverResult
from harness.router.sessions import BACKOFF, MASTER
from harness.router.status import NotMasterRefusal

__all__ = [
    "BACKOFF",
    "MASTER",
    "SWITCH_RPCS",
    "ConnectError",
    "DisruptiveNotAllowedError",
    "DualRERouter",
    "NoMasterError",
    "NotMasterRefusal",
    "OperationResult",
    "OperationTimeoutError",
    "RouterUnreachableError",
    "ShutdownResult",
    "SwitchoverFailedError",
    "SwitchoverRefusedError",
    "SwitchoverResult",
    "WaitTimeoutError",
]
