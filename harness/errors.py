"""The harness's exception tree: one flat, documented list, split by who is at fault.

Every class derives from :class:`HarnessError`, so a suite can catch everything the harness
raises with one ``except``. Keep the list flat (one level under ``HarnessError`` unless a
subclass really is a special case of another) and document who is at fault in each docstring.

- :class:`HarnessError` -- base of every error the harness raises.
- :class:`TestbedError` -- the user's testbed file (or a lookup in it) is wrong.  It is the
  contract's (``re_contract.errors``: the emulator reports testbed problems too), so it is a
  ``ContractError``, not a ``HarnessError``; it is named here for the suites' convenience.
- :class:`SessionError` -- a NETCONF session failed (network or router); subclasses say how:
  :class:`ConnectError`, :class:`SessionClosedError`, :class:`RpcTimeoutError`,
  :class:`RpcFailedError` (the router answered ``<rpc-error>``).
- :class:`OperationTimeoutError` -- an operation's whole time budget ran out on the network.
- :class:`WaitTimeoutError` -- the router did not reach a state within the limit; an HA
  operation's end state names which (:class:`EndStateTimeoutError`): :class:`MasterTimeoutError`,
  :class:`ForwardingTimeoutError`, :class:`RedundancyTimeoutError`.
- :class:`HaltNotConfirmedError` -- a halted RE stopped answering but was not seen halted.
- :class:`NoMasterError` -- no RE is master; :class:`RouterUnreachableError` -- no RE answers.
- :class:`AmbiguousReplyError` -- a reply names several masters where one was asked for.
- :class:`DisruptiveNotAllowedError` -- a disruptive operation without consent (the testbed
  entry, and for a lab router the run's ``--allow-disruptive``).
- :class:`SwitchoverFailedError` -- a switchover ended without moving mastership;
  :class:`SwitchoverRefusedError` -- the router refused it (hold-down, no backup, ...).
- :class:`ConfigError` -- the router rejected a configuration load or commit.
- :class:`FaultError` -- making a fault failed; :class:`FaultUnavailableError` -- no way to.
"""

from __future__ import annotations

from collections.abc import Sequence

from re_contract.errors import TestbedError

__all__ = [
    "AmbiguousReplyError",
    "ConfigError",
    "ConnectError",
    "DisruptiveNotAllowedError",
    "EndStateTimeoutError",
    "FaultError",
    "FaultUnavailableError",
    "ForwardingTimeoutError",
    "HaltNotConfirmedError",
    "HarnessError",
    "MasterTimeoutError",
    "NoMasterError",
    "OperationTimeoutError",
    "RedundancyTimeoutError",
    "RouterUnreachableError",
    "RpcFailedError",
    "RpcTimeoutError",
    "SessionClosedError",
    "SessionError",
    "SwitchoverFailedError",
    "SwitchoverRefusedError",
    "TestbedError",
    "WaitTimeoutError",
]


class HarnessError(Exception):
    """Base of every error the harness raises."""


class SessionError(HarnessError):
    """A NETCONF session failed.  At fault: the network or the router."""


class ConnectError(SessionError):
    """Could not open a session (refused, timed out, authentication or hello failed)."""


class SessionClosedError(SessionError):
    """The session ended under us (the RE went down, rebooted or dropped us)."""


class RpcTimeoutError(SessionError):
    """No reply within the RPC timeout (the peer is alive at TCP level but silent)."""


class RpcFailedError(SessionError):
    """The router answered ``<rpc-error>``; ``errors`` holds (severity, message) pairs.

    At fault: the request (or the router's state, e.g. a switch within the hold-down).
    """

    def __init__(self, message: str, errors: Sequence[tuple[str, str]] = (),
                 reply: str = "") -> None:
        """Record the message, the (severity, message) pairs and the reply XML text."""
        super().__init__(message)
        self.errors = list(errors)
        self.reply = reply


class OperationTimeoutError(HarnessError):
    """An operation's time budget ran out while it waited on the network.

    At fault: the network or a router that accepts connections but does not answer.  Not a
    :class:`SessionError`, so a poll that tolerates a dropped session still stops on it.
    """

    def __init__(self, what: str, limit: float) -> None:
        """Record what ran out of time and its budget in seconds."""
        super().__init__(f"{what}: no result within its {limit:.1f}s budget")
        self.what = what
        self.limit = limit


class WaitTimeoutError(HarnessError):
    """A condition was not met within its timeout.  At fault: the router (or the limit)."""

    def __init__(self, what: str, timeout: float, last: object = None) -> None:
        """Record what was waited for, the limit (router seconds) and the last value seen."""
        super().__init__(f"timed out after {timeout:.1f}s waiting for {what}"
                         + (f" (last seen: {last})" if last is not None else ""))
        self.what = what
        self.timeout = timeout
        self.last = last


class EndStateTimeoutError(WaitTimeoutError):
    """An HA operation's end state (``until``: master, forwarding, redundant) was not reached
    within its limit; ``until`` names it and ``last`` holds the last state seen.  At fault: the
    router (or the limit)."""

    until = ""


class MasterTimeoutError(EndStateTimeoutError):
    """No new master answered as the only master in time (the control plane did not come
    back)."""

    until = "master"


class ForwardingTimeoutError(EndStateTimeoutError):
    """Not every FPC of the master was Online in time (``show chassis fpc``: the Packet
    Forwarding Engine was not back)."""

    until = "forwarding"


class RedundancyTimeoutError(EndStateTimeoutError):
    """The backup RE did not report itself ready to take over in time (``show system
    switchover``)."""

    until = "redundant"


class HaltNotConfirmedError(HarnessError):
    """A halted RE stopped answering but was not seen halted: the RE that still answers
    reports it running (it may only have stopped replying).  At fault: the router."""

    def __init__(self, what: str, seen: object) -> None:
        """Record which RE and what was seen of it instead."""
        super().__init__(f"{what}: not seen halted (seen: {seen})")
        self.what = what
        self.seen = seen


class NoMasterError(HarnessError):
    """No RE reports itself master.  At fault: the router."""


class RouterUnreachableError(NoMasterError):
    """No RE of the router answers at all (refused, silent or down).  At fault: the network or
    the router; ``problems`` has one line per RE tried."""

    def __init__(self, router: str, problems: Sequence[str]) -> None:
        """Record the router name and one problem line per RE tried."""
        self.problems = tuple(problems)
        super().__init__(f"{router}: no Routing Engine answers: " + "; ".join(self.problems))


class AmbiguousReplyError(HarnessError):
    """A reply names more than one master where one was asked for: a virtual chassis or a
    chassis cluster has a master RE per member (the reply does not say which member is in
    charge), or two REs of one chassis both report master.  ``candidates`` names each master
    seen (``member0/re1``).  At fault: the question (ask per member) or the router."""

    def __init__(self, message: str, candidates: Sequence[str] = ()) -> None:
        """Record the message and the masters seen."""
        super().__init__(message)
        self.candidates = tuple(candidates)


class DisruptiveNotAllowedError(HarnessError):
    """A disruptive operation (switchover, halt, reboot, power, fault, configuration change)
    without consent: the router's testbed entry does not say ``allow_disruptive: true`` or, on a
    lab router, the run was not started with ``--allow-disruptive``.  Nothing was sent.

    At fault: the suite (or the testbed / command line, if the router is meant to allow it).
    """


class SwitchoverFailedError(HarnessError):
    """A switchover ended without moving mastership (e.g. release with an unreachable backup:
    E_TMOUT retries, E_MAXTRY, the RE stays master -- chapter "Determining Why Mastership
    Switched").  At fault: the router."""

    def __init__(self, message: str, *, method: str = "", target: str = "") -> None:
        """Record the message, the switchover method and the RE that should have become master."""
        super().__init__(message)
        self.method = method
        self.target = target


class SwitchoverRefusedError(SwitchoverFailedError):
    """The router refused the switchover request (the 240 s hold-down, no backup running, a
    disabled RE, ...).  ``retry_after`` is the hold-down left, when the router said so."""

    def __init__(self, message: str, *, method: str = "", target: str = "",
                 retry_after: int | None = None) -> None:
        """Record the refusal and, for the hold-down, the seconds to wait."""
        super().__init__(message, method=method, target=target)
        self.retry_after = retry_after


class FaultError(HarnessError):
    """Making a fault failed (its command exited non-zero, its RPC was refused)."""


class FaultUnavailableError(FaultError):
    """The router has no way to make this fault (a lab testbed that does not declare it)."""


class ConfigError(RpcFailedError):
    """The router rejected a configuration load, commit or rollback; ``errors`` holds its
    (severity, message) pairs.  At fault: the configuration the suite sent."""
