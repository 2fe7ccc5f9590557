"""The configuration of one router's REs: load into the candidate, roll back, commit (with
``commit synchronize``, NOTES.md 3.6) and read the committed configuration.  Every change (a
load, a rollback, a commit other than ``commit check``) first asks the router's consent."""

from __future__ import annotations

import contextlib

from lxml import etree

from harness import rpcs
from harness.errors import ConfigError, RpcFailedError
from harness.faults import Consent, Disruption
from harness.junos import CommitReport, load_errors, parse_commit
from harness.router.sessions import RouterSessions

__all__ = ["RouterConfig"]


class RouterConfig:
    """Configuration operations on the REs of one router, over ``sessions``; changes ask
    ``consent`` (none: a router built without one, as in unit tests)."""

    def __init__(self, sessions: RouterSessions, consent: Consent | None = None) -> None:
        self._s = sessions
        self._consent = consent

    def _change(self, what: str, re_name: str) -> contextlib.AbstractContextManager[object]:
        """Return the consent scope of a configuration change (raises on entry when refused)."""
        if self._consent is None:
            return contextlib.nullcontext()
        return self._consent.acting(Disruption.CONFIGURATION, f"{what} on {re_name}", re_name)

    def __repr__(self) -> str:
        return f"<RouterConfig {self._s.name}>"

    def load(self, re_name: str, text: str, format: str = "set") -> tuple[str, ...]:  # noqa: A002
        """Load ``text`` (``set`` commands, curly ``text`` or ``xml``) into the candidate of
        ``re_name`` (``load-configuration``); return the warnings.

        Raises ValueError for an unknown format (or XML that is not well-formed),
        ConfigError when the router rejects it.
        """
        request = rpcs.load_configuration(text, rpcs.ConfigFormat.named(format))
        return self._load(re_name, request, f"load ({format})")

    def rollback(self, re_name: str, n: int) -> tuple[str, ...]:
        """Load rollback ``n`` into the candidate of ``re_name`` (commit to apply it); return
        the warnings.  Raises ConfigError (e.g. no such rollback)."""
        return self._load(re_name, rpcs.load_rollback(n), f"rollback {n}")

    def _load(self, re_name: str, request: etree._Element, what: str) -> tuple[str, ...]:
        try:
            with self._change(what, re_name):
                reply = self._s.rpc(re_name, request)
        except RpcFailedError as exc:
            raise ConfigError(f"{self._s.name}/{re_name}: {what}: {exc}", exc.errors,
                              exc.reply) from exc
        problems = load_errors(reply)
        errors = [(sev, msg) for sev, msg in problems if sev != "warning"]
        if errors:
            raise ConfigError(f"{self._s.name}/{re_name}: {what}: "
                              + "; ".join(msg for _, msg in errors), errors,
                              etree.tostring(reply).decode())
        return tuple(msg for sev, msg in problems if sev == "warning")

    def commit(self, re_name: str, synchronize: bool = False, check: bool = False,
               comment: str | None = None) -> CommitReport:
        """Commit the candidate of ``re_name`` (``synchronize``: ``commit synchronize``);
        return the per-RE steps and warnings.

        Raises ConfigError when the commit (or its check) fails, DisruptiveNotAllowedError
        (nothing sent; ``commit check`` changes nothing and needs no consent).
        """
        request = rpcs.commit_configuration(check=check, synchronize=synchronize,
                                            comment=comment)
        what = "commit" + (" synchronize" if synchronize else "")
        scope = contextlib.nullcontext() if check else self._change(what, re_name)
        try:
            with scope:
                reply = self._s.rpc(re_name, request)
        except RpcFailedError as exc:
            raise ConfigError(f"{self._s.name}/{re_name}: commit: {exc}", exc.errors,
                              exc.reply) from exc
        return parse_commit(reply, self._s.resolve(re_name), check_only=check)

    def committed(self, re_name: str, inherit: bool = False) -> str:
        """Return the committed configuration of ``re_name`` as curly text; with ``inherit``,
        groups (re0/re1 ...) applied as that RE sees them.  Raises as
        :meth:`RouterSessions.rpc`."""
        reply = self._s.rpc(re_name, rpcs.get_configuration(inherit=inherit))
        return reply.findtext(".//configuration-text") or ""
