"""What a router says about itself: ``show chassis routing-engine`` as each RE sees it, which RE
is master, whether an RE answers, its clock, its hardware, its FPCs (``show chassis fpc``), the
backup's switchover readiness (``show system switchover``) and its mastership log.  Read-only:
nothing here changes the router.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from harness import mastership as ml
from harness import rpcs
from harness.clock import RouterClock
from harness.errors import NoMasterError, RouterUnreachableError, RpcFailedError, SessionError
from harness.junos import (
    NOT_MASTER_TEXT,
    RouteEngineReply,
    RouteEngineStatus,
    parse_route_engine_reply,
    parse_switchover,
    reply_text,
)
from harness.router.sessions import RouterSessions

__all__ = ["BackupReadiness", "FpcStatus", "NotMasterRefusal", "RouterStatus", "parse_fpcs"]

log = logging.getLogger(__name__)

#: The states an RE settles in once booted (chapter: master, backup, or disabled).
SETTLED = frozenset({"master", "backup", "disabled"})


class NotMasterRefusal(RpcFailedError):
    """The RE answered "This command can only be used on the master routing engine"."""


@dataclass(frozen=True, slots=True)
class FpcStatus:
    """One ``<fpc>`` of ``show chassis fpc``: its slot, state ("Online", "Offline", ...) and,
    when the router gives it, how many seconds it has been up."""

    slot: int
    state: str
    up_time: int | None = None

    @property
    def online(self) -> bool:
        """Return True when the FPC reports Online."""
        return self.state.lower() == "online"


def parse_fpcs(reply: etree._Element) -> list[FpcStatus]:
    """Return the FPCs of a ``get-fpc-information`` reply, in slot order (``up-time`` read
    from its ``junos:seconds`` attribute or its text when that is a number)."""
    found = []
    for fpc in reply.iter("{*}fpc"):
        slot = (fpc.findtext("{*}slot") or "").strip()
        if slot.isdigit():
            found.append(FpcStatus(int(slot), (fpc.findtext("{*}state") or "").strip(),
                                   _seconds(fpc.find("{*}up-time"))))
    return sorted(found, key=lambda f: f.slot)


def _seconds(el: etree._Element | None) -> int | None:
    if el is None:
        return None
    for key, value in el.attrib.items():
        if etree.QName(key).localname == "seconds" and str(value).isdigit():
            return int(value)
    text = (el.text or "").strip()
    return int(text) if text.isdigit() else None


@dataclass(frozen=True, slots=True)
class BackupReadiness:
    """Whether RE ``re`` could take over now, as it reports: it answers, says it is backup and
    ``show system switchover`` says Ready (graceful switchover on) or answers at all (off:
    there is no replicated state to wait for).  ``detail`` is what it said."""

    re: str
    ready: bool
    detail: str
    gres: bool | None = None


class RouterStatus:
    """The read-only queries of one router, over ``sessions``; ``clock`` is the router's."""

    def __init__(self, sessions: RouterSessions, clock: RouterClock) -> None:
        self._s = sessions
        #: The router clock this part reads and waits on (replaceable, as a test does).
        self.clock = clock

    def __repr__(self) -> str:
        return f"<RouterStatus {self._s.name}>"

    def engines(self, via: str | None = None, timeout: float | None = None
                ) -> RouteEngineReply:
        """Return ``show chassis routing-engine`` as seen from ``via`` (default: the first RE
        that answers), chassis by chassis, within ``timeout`` (default: the query budget).

        Raises RouterUnreachableError (a NoMasterError) when no RE answers, and
        OperationTimeoutError when the budget runs out.
        """
        with self._s.bounded(timeout or self._s.query_budget, "status"):
            problems = []
            for name in [via] if via else self._s.reachable_order():
                try:
                    return parse_route_engine_reply(
                        self._s.rpc(name, rpcs.get_route_engine_information(), retries=1))
                except SessionError as exc:
                    problems.append(f"{name}: {exc}")
            raise RouterUnreachableError(self._s.name, problems)

    def status(self, via: str | None = None, timeout: float | None = None
               ) -> list[RouteEngineStatus]:
        """Return every RE of :meth:`engines` (member by member, by slot).  Raises as it."""
        return list(self.engines(via, timeout).route_engines)

    def roles(self, via: str | None = None) -> dict[str, str]:
        """Return ``{re: mastership-state}`` (lower case) as ``via`` reports it (``member0/re1``
        keys in a multi-chassis reply).  Raises as :meth:`status`."""
        return {r.qualified_name: r.mastership_state.lower() for r in self.status(via)}

    def view_of(self, re_name: str) -> dict[str, str] | None:
        """Return ``{re: mastership-state}`` as ``re_name`` reports it, or None when it does not
        answer (its session is dropped, so the next use reconnects).

        Raises OperationTimeoutError only when an enclosing budget is spent.
        """
        try:
            return self.roles(via=re_name)
        except SessionError:
            self._s.drop(re_name)
            return None
        except NoMasterError:
            return None

    def router_time(self, via: str | None = None) -> datetime:
        """Return the router's own wall-clock time (naive, in its time zone, as its log
        timestamps are): start time plus up time from ``show chassis routing-engine``.  A lab
        router's clock need not agree with this host's (skew, time zone).  Falls back to the
        harness clock, in UTC, when the router reports no times.

        Raises as :meth:`status`.
        """
        view = self.status(via)
        first = via or next((r.name for r in view if r.is_master), None)
        times = [r.local_time for r in view if r.name == first] + [r.local_time for r in view]
        found = next((t for t in times if t is not None), None)
        if found is not None:
            return found
        return datetime.fromtimestamp(self.clock.now(), UTC).replace(tzinfo=None)

    def find_master(self, timeout: float | None = None) -> str:
        """Return the name of the master RE, asked now (and remembered for ``"master"``).

        Raises NoMasterError (RouterUnreachableError when no RE answers),
        AmbiguousReplyError (a master per member, or two masters), OperationTimeoutError.
        """
        master = self.engines(timeout=timeout).master()
        if master is None:
            raise NoMasterError(f"{self._s.name}: no Routing Engine is master")
        self._s.remember_master(master.name)
        return master.name

    def backup(self) -> str | None:
        """Return the name of the backup RE (of the master's chassis), or None when there is
        none.  Raises as :meth:`find_master`, except that no master is no error here."""
        reply = self.engines()
        master = reply.master()
        pool = reply.member(master.member).route_engines if master and master.member else \
            reply.route_engines
        return next((r.name for r in pool if r.mastership_state.lower() == "backup"), None)

    def is_master(self, re_name: str) -> bool:
        """Return True when ``re_name`` itself reports being master (on one chassis, whatever
        the other RE reports).  Raises AmbiguousReplyError when a multi-chassis reply names no
        single master."""
        try:
            reply = self.engines(via=re_name)
        except NoMasterError:
            return False
        if len(reply.members) > 1:
            master = reply.master()
            return master is not None and master.name == re_name
        return any(r.is_master and r.name == re_name for r in reply.route_engines)

    def master_or_none(self, prefer: str | None = None) -> str | None:
        """Return the master as ``prefer`` (else any RE that answers) sees it; None when no RE
        is master or none answers.  Raises AmbiguousReplyError as :meth:`find_master`."""
        try:
            view = self.engines(via=prefer) if prefer else self.engines()
        except SessionError:
            try:
                view = self.engines() if prefer else RouteEngineReply(())
            except NoMasterError:
                return None
        except NoMasterError:
            return None
        master = view.master() if view.members else None
        return master.name if master is not None else None

    def answers(self, re_name: str) -> bool:
        """Return True when ``re_name`` accepts a NETCONF session and answers an RPC.

        Raises OperationTimeoutError only when an enclosing budget is spent.
        """
        try:
            self._s.rpc(re_name, rpcs.get_route_engine_information(), retries=0)
            return True
        except SessionError:
            self._s.drop(re_name)
            return False

    def settled(self, re_name: str, *, one_master: bool = True) -> bool:
        """Return True when ``re_name`` answers and reports every RE settled (master, backup
        or disabled) and, when ``one_master``, exactly one master in each chassis (two
        backup-configured REs boot with none: chapter "election upon system boot")."""
        # One query: answering it is the "answers" half, its content the "settled" half.
        with self._s.bounded(self._s.query_budget, "status"):
            try:
                reply = parse_route_engine_reply(
                    self._s.rpc(re_name, rpcs.get_route_engine_information(), retries=0))
            except SessionError:
                self._s.drop(re_name)
                return False
        states = {r.mastership_state.lower() for r in reply.route_engines}
        return states <= SETTLED and (not one_master or reply.one_master_each())

    def fpcs(self, re_name: str) -> list[FpcStatus]:
        """Return ``show chassis fpc`` as ``re_name`` (the master) reports it.  Raises as
        :meth:`RouterSessions.rpc`."""
        return parse_fpcs(self._s.rpc(re_name, rpcs.get_fpc_information(), retries=1))

    def backup_readiness(self, re_name: str) -> BackupReadiness:
        """Return whether ``re_name`` reports itself a backup ready to take over (see
        :class:`BackupReadiness`); an RE that does not answer is not ready.

        Raises OperationTimeoutError only when an enclosing budget is spent.
        """
        try:
            own = next((r.mastership_state.lower() for r in self.status(via=re_name)
                        if r.name == re_name), "absent")
            if own != "backup":
                return BackupReadiness(re_name, False, f"{re_name} says it is {own}")
            info = parse_switchover(
                self._s.rpc(re_name, rpcs.get_switchover_information(), retries=0))
        except (SessionError, NoMasterError) as exc:
            return BackupReadiness(re_name, False, f"{re_name} not answering ({exc})")
        if info.graceful_switchover.lower() != "on":
            return BackupReadiness(re_name, True, "backup; graceful switchover off", False)
        said = "Ready" if info.ready else "Not Ready"
        return BackupReadiness(re_name, info.ready, f"backup; switchover {said} (configuration "
                               f"{info.configuration_state or '?'}, replication "
                               f"{info.replication_state or '?'})", True)

    def chassis_hardware(self, re_name: str) -> etree._Element:
        """Return ``show chassis hardware`` from ``re_name``.

        Raises NotMasterRefusal (a RpcFailedError) when the RE refuses as a backup does.
        """
        reply = self._s.rpc(re_name, rpcs.get_chassis_inventory())
        text = reply_text(reply)
        if NOT_MASTER_TEXT in text:
            raise NotMasterRefusal(f"{self._s.name}/{re_name}: {text.strip()}",
                                   [("error", text.strip())])
        return reply

    def raw_log(self, re_name: str) -> str:
        """Return the text of ``show log mastership`` on ``re_name``.  Raises as
        :meth:`RouterSessions.rpc`."""
        reply = self._s.rpc(re_name, rpcs.get_log("mastership"))
        content = reply.find(".//file-content")
        if content is not None:
            return content.text or ""
        return reply_text(reply)

    def mastership_log(self, re_name: str, timeout: float | None = None) -> ml.MastershipLog:
        """Return the parsed mastership log of ``re_name`` (oldest first), as a value that
        ``assert [patterns] in log`` reads well.  Raises as :meth:`RouterSessions.rpc`."""
        with self._s.bounded(timeout or self._s.query_budget, f"mastership log of {re_name}"):
            year = time.gmtime(self.clock.now()).tm_year
            return ml.MastershipLog.parse(self.raw_log(re_name), year=year, re=re_name)
