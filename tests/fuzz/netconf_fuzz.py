"""A NETCONF fuzzer for a served emulator: hypothesis draws sessions of malformed framing, XML
and RPCs; a healthy session is timed every ~100 messages meanwhile.

Each drawn :class:`Script` is one client session: a list of messages, each with what the
server must do with it (``REPLY``: answer it, the session living on; ``ANY``: it may close the
session, RFC 6242 framing or a second hello, else a valid RPC sent after it is answered).  The
:class:`Fuzzer` runs scripts on fresh sessions and counts what :class:`Report` shows: session
deaths (closed where a reply was due), replies slower than :data:`SLOW`, hangs, the healthy
session's worst latency.  ``pytest tests`` runs a bounded run (``tests/fuzz/test_fuzz_netconf``);
``bench/fuzz_netconf.py`` the long one with leak and RSS figures.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import paramiko
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz.wire import EOM, NC, Client, WireTimeout

__all__ = ["SLOW", "Expect", "Fuzzer", "Report", "Script", "scripts"]

#: Seconds after which a reply counts as slow (issue 11: none slower than 5 s).
SLOW = 5.0
#: Seconds after which a reply that never comes counts as a hang.
HANG = 30.0
GET_RE = "<get-route-engine-information/>"
_IDS = itertools.count(1)


class Expect(Enum):
    """What the server must do with one fuzz message."""

    REPLY = "reply"  # an <rpc-reply> (error or not); the session lives on
    ANY = "any"  # it may close the session (framing, hello); else it goes on answering


@dataclass(frozen=True)
class Script:
    """One fuzz session: its messages, how it ends (close-session or a dropped connection)."""

    messages: tuple[tuple[bytes, Expect], ...]
    polite: bool


# ----------------------------------------------------------------------------- strategies
_OPS = ["get-route-engine-information", "get-configuration", "get-software-information",
        "get-chassis-inventory", "lock", "unlock", "discard-changes", "validate",
        "load-configuration", "commit-configuration", "get", "get-config", "edit-config",
        "command", "open-configuration", "close-configuration", "get-system-uptime-information",
        "file-list", "get-log", "kill-session", "bogus-rpc", "close-session"]
_WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_NAMES = st.from_regex(r"\A[a-z][a-z0-9-]{0,20}\Z")
_BAD_CHARS = st.sampled_from(["\x00", "\x01", "\x1f", "\ufffe", "\uffff", "\x7f", "&", "<",
                              "&#1;", "&#xFFFE;", "\ud7ff"])


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def _rpc(body: str, attrs: str = "", mid: int = 7) -> bytes:
    """Return an ``<rpc>`` (a fixed message-id while drawing: the draws must not depend on
    anything but the draws before them)."""
    return f'<rpc message-id="{mid}" xmlns="{NC}"{attrs}>{body}</rpc>'.encode("utf-8",
                                                                             "surrogatepass")


@st.composite
def _valid_op(draw: st.DrawFn) -> str:
    """An operation with random children and values (well-formed, often meaningless)."""
    op = draw(st.sampled_from([o for o in _OPS if o != "close-session"]))
    children = draw(st.lists(st.tuples(_NAMES, _WORDS), max_size=4))
    inner = "".join(f"<{n}>{_esc(v)}</{n}>" for n, v in children)
    if op == "lock" or op == "unlock":
        inner = "<target><candidate/></target>"
    if op == "load-configuration":
        inner = draw(st.sampled_from([
            f'<configuration-set>set system location building {_esc(draw(_WORDS))}'
            f'</configuration-set>',
            f"<configuration-text>{_esc(draw(_WORDS))}</configuration-text>",
            "<configuration><system><host-name>x</host-name></system></configuration>"]))
    if op == "commit-configuration":
        inner = "<check/>"
    return f"<{op}>{inner}</{op}>"


@st.composite
def _xml_abuse(draw: st.DrawFn) -> bytes:
    """Well-framed, badly formed or hostile XML: a reply is due every time."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(min_size=1, max_size=300)).replace(b"]]>]]>", b"")
    if kind == 1:
        whole = _rpc(draw(_valid_op()))
        return whole[: draw(st.integers(1, max(1, len(whole) - 1)))]
    if kind == 2:
        bad = draw(_BAD_CHARS)
        where = draw(st.sampled_from(["id", "text", "attr"]))
        if where == "id":
            return f'<rpc message-id="a{bad}b"><get/></rpc>'.encode("utf-8", "surrogatepass")
        if where == "attr":
            return _rpc("<get/>", f' x="{bad}"')
        return _rpc(f"<get-configuration>{bad}</get-configuration>")
    if kind == 3:
        laughs = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};">' for i in range(1, 9))
        return (f'<!DOCTYPE rpc [<!ENTITY l0 "lol">{laughs}'
                f'<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                f'<rpc message-id="e" xmlns="{NC}"><get>&l8;&x;</get></rpc>').encode()
    if kind == 4:
        depth = draw(st.integers(50, 400))
        return _rpc("<get-configuration>" + "<a>" * depth + "</a>" * depth
                    + "</get-configuration>")
    if kind == 5:
        count = draw(st.integers(60, 5000))
        return _rpc("<get/>", " " + " ".join(f'a{i}="{i}"' for i in range(count)))
    if kind == 6:
        return draw(st.sampled_from([
            f'<rpc xmlns="{NC}"><get/></rpc>'.encode(),  # no message-id
            _rpc("<get/><get/>"), _rpc(""), _rpc("<x:get/>"),  # undefined prefix
            f'<rpc-reply message-id="1" xmlns="{NC}"/>'.encode(), b"<foo/>",
            f'<rpc message-id="{"9" * 100000}"><get/></rpc>'.encode(),
            _rpc("<!-- c --><?pi x?><get/>"), _rpc('<get xmlns="urn:bogus"/>'),
            b'<?xml version="1.0" encoding="EBCDIC"?><rpc/>']))
    if kind == 7:
        return _rpc(draw(_valid_op()))
    if kind == 8:
        return _rpc(draw(_valid_op()), f' {draw(_NAMES)}="{_esc(draw(_WORDS))}"')
    width = draw(st.integers(100, 3000))
    return _rpc("<get-configuration>" + "<a/>" * width + "</get-configuration>")


@st.composite
def _framing_abuse(draw: st.DrawFn) -> bytes:
    """Messages that break the framing or the session's order: the server may close."""
    return draw(st.sampled_from([
        b"\n#0\n]]>]]>", b"\n#99999999999\nx", b"\n##\n", b"]]>]]>]]>]]>",
        f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
        f'</capability></capabilities></hello>'.encode(),  # a second hello
        b"x" * draw(st.integers(1, 70000)),  # a partial message, never finished
        _rpc(GET_RE) + b"]]>]]" + _rpc(GET_RE)]))


@st.composite
def scripts(draw: st.DrawFn, max_messages: int = 12) -> Script:
    """One fuzz session: mostly XML and RPC abuse (a reply due), sometimes framing abuse."""
    messages: list[tuple[bytes, Expect]] = []
    for _ in range(draw(st.integers(1, max_messages))):
        if draw(st.integers(0, 9)) == 0:
            messages.append((draw(_framing_abuse()), Expect.ANY))
            break  # what follows a framing fault is another session's business
        # "]" never ends a REPLY message: with the delimiter after it, ]]>]]> could start early
        # and split it in two (two replies, or none).
        data = draw(_xml_abuse()).replace(b"]", b")")
        # Blanks between delimiters are no message (and get no reply): a "<" at least.
        messages.append((data if data.strip() else data + b"<", Expect.REPLY))
    return Script(tuple(messages), polite=draw(st.booleans()))


# ----------------------------------------------------------------------------- running
@dataclass
class Report:
    """What a fuzz run saw."""

    messages: int = 0
    sessions: int = 0
    deaths: list[str] = field(default_factory=list)
    slow: int = 0
    #: The messages that got no reply within :data:`HANG` (their first bytes).
    hangs: list[str] = field(default_factory=list)
    slowest: float = 0.0
    healthy_checks: int = 0
    healthy_worst: float = 0.0
    healthy_failures: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report, one figure a line."""
        return [f"fuzz messages sent: {self.messages} in {self.sessions} sessions",
                f"session deaths (closed where a reply was due): {len(self.deaths)}",
                f"replies slower than {SLOW:g} s: {self.slow}; hangs (>{HANG:g} s): "
                f"{len(self.hangs)}",
                f"slowest fuzz reply: {self.slowest:.3f} s",
                f"healthy session: {self.healthy_checks} checks, worst {self.healthy_worst:.3f} s,"
                f" failures {len(self.healthy_failures)}"]


class Fuzzer:
    """Runs fuzz scripts against ``target`` (host, port of an RE), checking ``healthy`` (an
    open session on another RE) every ``every`` messages."""

    def __init__(self, target: tuple[str, int], healthy: Client, *, every: int = 100) -> None:
        self.target = target
        self.healthy = healthy
        self.every = every
        self.report = Report()
        self._next_check = every
        self._shared: Client | None = None

    def _session(self, own_connection: bool) -> Client:
        """Return a fresh session: on a connection of its own, or a new channel of a shared
        one (cheap: most scripts)."""
        if own_connection:
            return Client(*self.target, timeout=HANG)
        if self._shared is None or not self._shared.transport.is_active():
            self._shared = Client(*self.target, timeout=HANG)
        return Client(*self.target, timeout=HANG, transport=self._shared.transport)

    def close(self) -> None:
        """Close the shared connection."""
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    def run(self, count: int, *, seed: int | None = None, derandomize: bool = False) -> Report:
        """Run about ``count`` messages in drawn scripts; return the report."""
        per_script = 3  # below the mean of scripts(): the run stops at ``count`` anyway
        config = settings(max_examples=max(1, count // per_script), deadline=None,
                          database=None, derandomize=derandomize, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck))

        @config
        @given(script=scripts())
        def one(script: Script) -> None:
            if self.report.messages < count:
                self.run_script(script)

        if seed is not None:
            one = _seeded(one, seed)
        try:
            one()
        finally:
            self.close()
        return self.report

    def run_script(self, script: Script) -> None:
        """Run one script on a fresh session."""
        report = self.report
        report.sessions += 1
        client = self._session(own_connection=report.sessions % 10 == 0)
        try:
            for data, expect in script.messages:
                report.messages += 1
                if not self._one(client, data, expect):
                    return
                self._maybe_check()
            if script.polite:
                client.call("<close-session/>", timeout=HANG)
        except (OSError, EOFError, paramiko.SSHException, WireTimeout):
            pass
        finally:
            client.close()

    def _one(self, client: Client, data: bytes, expect: Expect) -> bool:
        """Send one message and judge what follows; return False once the session is over."""
        started = time.monotonic()
        try:
            client.send(data + EOM)
            if expect is Expect.ANY:
                client.send(_rpc(GET_RE, mid=next(_IDS)) + EOM)
            reply = client.recv_message(HANG)
        except (EOFError, OSError, paramiko.SSHException):
            if expect is Expect.REPLY:
                self.report.deaths.append(repr(data[:120]))
            return False
        except WireTimeout:
            if expect is Expect.REPLY:
                self.report.hangs.append(repr(data[:160]))
            return False
        took = time.monotonic() - started
        self.report.slowest = max(self.report.slowest, took)
        if took > SLOW:
            self.report.slow += 1
        if expect is Expect.ANY:
            return False  # the rest of its replies are not counted
        return b"rpc-reply" in reply

    def _maybe_check(self) -> None:
        if self.report.messages < self._next_check:
            return
        self._next_check += self.every
        self.check_healthy()

    def check_healthy(self) -> None:
        """Time one RPC on the healthy session."""
        started = time.monotonic()
        try:
            ok = "<route-engine>" in self.healthy.call(GET_RE, timeout=HANG)
        except (OSError, EOFError, paramiko.SSHException, WireTimeout) as exc:
            self.report.healthy_failures.append(repr(exc))
            return
        took = time.monotonic() - started
        self.report.healthy_checks += 1
        self.report.healthy_worst = max(self.report.healthy_worst, took)
        if not ok:
            self.report.healthy_failures.append("reply without <route-engine>")


def _seeded(test: Callable[[], None], seed: int) -> Callable[[], None]:
    from hypothesis import seed as hypothesis_seed
    return hypothesis_seed(seed)(test)  # type: ignore[no-any-return]
