"""Testbed files: YAML that describes lab or emulated dual-RE routers, as frozen records.

A testbed is loaded once and validated once: ``yaml.safe_load`` semantics plus duplicate-key
detection, then every key is checked against the schema (``testbeds/README.md``). Each problem
is one line naming the file, the key path, what was expected and what was found, e.g.
``testbeds/lab.yaml: routers.r1.re0.port: expected an integer 0..65535, got 'abc' (line 7)``;
all problems are collected and raised together as one :class:`~harness.errors.TestbedError`.

Mappings in the records are plain ``dict`` objects typed ``Mapping`` (read-only by contract):
unlike ``MappingProxyType`` they pickle and deep-copy, which pytest-xdist and the plugin need.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import os
import re
import shlex
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from harness.errors import TestbedError

__all__ = [
    "PLACEHOLDERS",
    "RE_NAMES",
    "Credentials",
    "EmulatorSettings",
    "Endpoint",
    "FaultAction",
    "HostKeyPolicy",
    "HostKeys",
    "RouterSpec",
    "Testbed",
    "TimeMode",
    "Timeouts",
    "default_testbed_path",
    "load_testbed",
    "parse_testbed",
    "with_endpoints",
]

logger = logging.getLogger(__name__)

#: The Routing Engine slots a router can have, in order.
RE_NAMES: tuple[str, ...] = ("re0", "re1")
#: The names a fault ``command`` template may use, e.g. ``pdu-off.sh {router} {re}``.
PLACEHOLDERS: tuple[str, ...] = ("router", "re", "host")

#: RFC 6242 section 3: the IANA port for NETCONF over SSH.
NETCONF_PORT = 830
_PACKAGE = "testbeds"
_DEFAULT_FILE = "emulated.yaml"

_NAME_RE = re.compile(r"[A-Za-z0-9_.-]+\Z")
_HOST_RE = re.compile(r"[A-Za-z0-9_.:%-]+\Z")
_ENV_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# An RPC is an XML element name (junos: "request-halt", "get-route-engine-information").
_XML_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")

_TOP_KEYS = ("testbed", "defaults", "routers")
_TESTBED_KEYS = ("name", "description")
_DEFAULT_KEYS = (
    "platform",
    "emulated",
    "allow_disruptive",
    "credentials",
    "control",
    "host_keys",
    "timeouts",
    "faults",
    "emulator",
)
_ROUTER_KEYS = (*_DEFAULT_KEYS, "re0", "re1", "master_only", "console")
_ENDPOINT_KEYS = ("host", "port")
_CREDENTIAL_KEYS = ("username", "password", "password_env", "key_file", "allow_agent")
# A router that names one password source replaces both sources from the defaults.
_PASSWORD_SOURCES = ("password", "password_env")
_HOST_KEY_KEYS = ("policy", "known_hosts")
_FAULT_KEYS = ("rpc", "command", "args")
_EMULATOR_KEYS = (
    "time", "versions", "re_models", "serials", "hostname", "config", "boot_time", "platform",
)

_T = TypeVar("_T")
_E = TypeVar("_E", bound=Enum)


# ---------------------------------------------------------------------------------------------
# Vocabulary and records


class HostKeyPolicy(Enum):
    """How the SSH client treats a router's host key."""

    #: Accept any key and remember none (an emulator makes a new key every run).
    IGNORE = "ignore"
    #: The key must already be in ``known_hosts``.
    KNOWN_HOSTS = "known_hosts"
    #: Unknown hosts are added to ``known_hosts``; a changed key is refused (OpenSSH accept-new).
    ACCEPT_NEW = "accept_new"


class TimeMode(Enum):
    """How an emulated router's clock runs."""

    #: Moves only when the harness advances it (deterministic; the default).
    VIRTUAL = "virtual"
    #: Runs at wall-clock speed.
    REAL = "real"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A management address: an RE's fxp0, the master-only address or a console port.

    Port 0 means "pick a free port" and is only valid on emulated routers.
    """

    host: str
    port: int

    def __str__(self) -> str:
        """Return ``host:port`` (``[host]:port`` for an IPv6 literal)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """How to log in. The password is kept out of ``repr``; ``password_env`` is resolved lazily.

    ``secret`` is a password written in the file; ``password_env`` names an environment variable
    read only when :meth:`password` is called, so an unset variable only matters if it is used.
    ``router`` and ``origin`` (``file: key path``) serve the error message.
    """

    username: str
    secret: str | None = None
    password_env: str | None = None
    key_file: Path | None = None
    allow_agent: bool = False
    router: str = ""
    origin: str = ""

    def password(self) -> str | None:
        """Return the password: the one in the file, else the named env var, else None.

        None means key-file or agent authentication only.

        Raises:
            TestbedError: ``password_env`` names a variable that is unset or empty; the message
                names the variable and the router.
        """
        if self.secret is not None:
            return self.secret
        if self.password_env is None:
            return None
        value = os.environ.get(self.password_env, "")
        if not value:
            where = f"{self.origin}: " if self.origin else ""
            raise TestbedError(
                f"{where}expected environment variable {self.password_env} to hold "
                f"the password of router {self.router!r}, got it unset or empty"
            )
        return value

    def __repr__(self) -> str:
        """Return the fields with the password redacted."""
        shown = "None" if self.secret is None else "'<redacted>'"
        return (
            f"Credentials(username={self.username!r}, password={shown}, "
            f"password_env={self.password_env!r}, key_file={self.key_file!r}, "
            f"allow_agent={self.allow_agent!r})"
        )


@dataclass(frozen=True, slots=True)
class HostKeys:
    """The host-key policy and, unless it is IGNORE, the ``known_hosts`` file it uses."""

    policy: HostKeyPolicy
    known_hosts: Path | None = None


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds the harness waits, per router (all > 0)."""

    connect: float = 10.0
    rpc: float = 30.0
    #: End-to-end wait for a switchover's end state (new master up, backup back).
    switchover: float = 600.0
    reboot: float = 900.0
    halt: float = 120.0
    #: Wait for the keepalive failover; must exceed the configured keepalive-time (default 300).
    keepalive_failover: float = 900.0


_TIMEOUT_KEYS = tuple(f.name for f in dataclasses.fields(Timeouts))


@dataclass(frozen=True, slots=True)
class FaultAction:
    """How a lab makes one fault: an RPC sent to the router, or a local command (exactly one).

    Raises:
        TestbedError: on construction, unless exactly one of ``rpc`` and ``command`` is set.
    """

    rpc: str | None = None
    command: str | None = None
    #: RPC arguments (child elements); only with ``rpc``.
    args: Mapping[str, str | int | bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check that exactly one of rpc and command is set.

        Raises:
            TestbedError: if neither or both are set.
        """
        if (self.rpc is None) == (self.command is None):
            raise TestbedError(
                f"FaultAction: expected exactly one of rpc, command, "
                f"got rpc={self.rpc!r} command={self.command!r}"
            )

    def command_line(self, router: str, re_name: str, host: str) -> str:
        """Return the shell command with ``{router}``, ``{re}``, ``{host}`` filled in (quoted).

        Raises:
            TestbedError: if this fault is made by an RPC, not a command.
        """
        if self.command is None:
            raise TestbedError(f"FaultAction: expected a command fault, got rpc {self.rpc!r}")
        values = {"router": router, "re": re_name, "host": host}
        return self.command.format(**{k: shlex.quote(v) for k, v in values.items()})


@dataclass(frozen=True, slots=True)
class EmulatorSettings:
    """What the in-process emulator builds for an emulated router.

    Empty per-RE mappings leave the choice to the emulator's platform catalogue.
    """

    time: TimeMode = TimeMode.VIRTUAL
    versions: Mapping[str, str] = field(default_factory=dict)
    re_models: Mapping[str, str] = field(default_factory=dict)
    serials: Mapping[str, str] = field(default_factory=dict)
    hostname: str = ""
    #: Initial configuration in ``set`` format, applied on both REs.
    config: str = ""
    #: Seconds of (virtual) time a reboot takes.
    boot_time: float = 180.0
    #: Platform catalogue fields overriding (or, with ``base:``, defining) this router's
    #: platform, e.g. ``{re_model: RE-S-2X00x6, fpc_slots: [0, 1, 2]}``; the emulator checks
    #: the fields when it builds the router.
    platform: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class RouterSpec:
    """One router of the testbed, with defaults merged in and every value checked."""

    name: str
    platform: str
    emulated: bool
    allow_disruptive: bool
    #: Per-RE management endpoints (fxp0), keyed "re0" and, on dual-RE routers, "re1".
    endpoints: Mapping[str, Endpoint]
    credentials: Credentials
    master_only: Endpoint | None = None
    console: Mapping[str, Endpoint] = field(default_factory=dict)
    #: The emulator's control user (emulated routers only).
    control: Credentials | None = None
    host_keys: HostKeys = HostKeys(HostKeyPolicy.KNOWN_HOSTS)
    timeouts: Timeouts = Timeouts()
    faults: Mapping[str, FaultAction] = field(default_factory=dict)
    #: Emulator settings (emulated routers only).
    emulator: EmulatorSettings | None = None

    @property
    def re_names(self) -> tuple[str, ...]:
        """Return the RE slots this router has, e.g. ``("re0", "re1")``."""
        return tuple(self.endpoints)


@dataclass(frozen=True, slots=True, kw_only=True)
class Testbed:
    """A loaded testbed: its routers in file order, and the lint warnings found on loading."""

    # The name starts with "Test": tell pytest this is not a test class to collect.
    __test__: ClassVar[bool] = False

    name: str
    path: Path | None
    routers: Mapping[str, RouterSpec]
    #: The label used in messages: the path as given, or the label given to parse_testbed.
    source: str = "<testbed>"
    warnings: tuple[str, ...] = ()

    def router(self, name: str) -> RouterSpec:
        """Return the router called ``name``.

        Raises:
            TestbedError: no such router; the message lists the known names.
        """
        try:
            return self.routers[name]
        except KeyError:
            known = ", ".join(repr(n) for n in self.routers)
            raise TestbedError(
                f"{self.source}: routers: expected one of {known}, "
                f"got {name!r}{_hint(name, self.routers)}"
            ) from None

    def lint_warnings(self) -> tuple[str, ...]:
        """Return the warnings found on loading (e.g. a lab password written in the file)."""
        return self.warnings


# ---------------------------------------------------------------------------------------------
# Public functions


def load_testbed(path: str | os.PathLike[str]) -> Testbed:
    """Load, validate and return the testbed in ``path``.

    A bare file name that does not exist relative to the working directory is looked up among
    the packaged testbeds (``emulated-fleet.yaml``, or just ``emulated-fleet``).

    Raises:
        TestbedError: the file is missing or unreadable, is not valid YAML, or breaks the
            schema; one error lists every problem found.
    """
    given = Path(path)
    resolved = _resolve(given)
    source = str(path) if resolved == given else str(resolved)
    data, duplicates, lines = _read_yaml(resolved, source)
    testbed = _parse(data, source, resolved, lines, duplicates)
    logger.debug("loaded testbed %s with %d router(s)", source, len(testbed.routers))
    return testbed


def parse_testbed(data: object, source: str) -> Testbed:
    """Validate already-loaded YAML data and return the testbed; ``source`` labels messages.

    Raises:
        TestbedError: the data breaks the schema; one error lists every problem found.
    """
    return _parse(data, source, None, {}, [])


def default_testbed_path() -> Path:
    """Return the path of the packaged default testbed, ``testbeds/emulated.yaml``.

    Raises:
        TestbedError: if the package was installed without it.
    """
    found = _packaged(_DEFAULT_FILE)
    if found is None:
        raise TestbedError(f"{_PACKAGE}: expected a packaged {_DEFAULT_FILE}, got none")
    return found


def with_endpoints(
    testbed: Testbed,
    router: str,
    endpoints: Mapping[str, Endpoint],
    master_only: Endpoint | None,
) -> Testbed:
    """Return a copy of ``testbed`` whose ``router`` has these endpoints (the real ports).

    The plugin calls this after starting an emulator on port 0.

    Raises:
        TestbedError: unknown router, or ``endpoints`` not keyed by exactly its RE names.
    """
    spec = testbed.router(router)
    if set(endpoints) != set(spec.endpoints):
        raise TestbedError(
            f"{testbed.source}: routers.{router}: expected endpoints for "
            f"{', '.join(spec.endpoints)}, got {', '.join(endpoints) or 'none'}"
        )
    ordered = {name: endpoints[name] for name in spec.endpoints}
    new_spec = dataclasses.replace(spec, endpoints=ordered, master_only=master_only)
    routers = {name: new_spec if name == router else s for name, s in testbed.routers.items()}
    return dataclasses.replace(testbed, routers=routers)


# ---------------------------------------------------------------------------------------------
# Files and YAML


def _packaged(name: str) -> Path | None:
    """Return the path of the packaged testbed file ``name``, or None if there is none."""
    resource = resources.files(_PACKAGE).joinpath(name)
    return Path(str(resource)) if resource.is_file() else None


def _packaged_names() -> list[str]:
    """Return the file names of the packaged testbeds."""
    return sorted(r.name for r in resources.files(_PACKAGE).iterdir() if r.name.endswith(".yaml"))


def _resolve(given: Path) -> Path:
    """Return ``given`` if it exists, else the packaged file a bare name refers to, else
    ``given`` (whose reading then reports it missing)."""
    if given.exists() or len(given.parts) != 1:
        return given
    for name in (given.name, f"{given.name}.yaml"):
        found = _packaged(name)
        if found is not None:
            return found
    return given


def _read_yaml(path: Path, source: str) -> tuple[object, list[_Duplicate], dict[str, int]]:
    """Return the YAML data, the duplicate keys and the line of every key path.

    Raises:
        TestbedError: the file is missing, unreadable, not UTF-8 or not valid YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TestbedError(_missing_file(path, source)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TestbedError(f"{source}: expected a readable UTF-8 file, got {exc}") from None
    loader = _StrictLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise TestbedError(_yaml_problem(source, exc)) from None
    except yaml.YAMLError as exc:
        raise TestbedError(f"{source}: expected valid YAML, got {exc}") from None
    finally:
        loader.dispose()
    return data, loader.duplicates, loader.key_lines


def _missing_file(path: Path, source: str) -> str:
    """Return the message for a missing file; a bare name also lists the packaged testbeds."""
    if len(path.parts) != 1:
        return f"{source}: expected an existing testbed file, got no such file"
    names = _packaged_names()
    return (
        f"{source}: expected an existing file or a packaged testbed ({', '.join(names)}), "
        f"got no such file{_hint(path.name, names)}"
    )


def _yaml_problem(source: str, exc: yaml.MarkedYAMLError) -> str:
    """Return the one-line message for a YAML syntax error, with its line and column."""
    mark = exc.problem_mark or exc.context_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    context = f" {exc.context}" if exc.context else ""
    return f"{source}: expected valid YAML, got {exc.problem or 'an error'}{context}{where}"


@dataclass(frozen=True, slots=True)
class _Duplicate:
    """A key given twice in one mapping (PyYAML would silently keep the last value)."""

    path: str
    key: str
    line: int
    first_line: int


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that records duplicate keys and the line of every key path.

    It surveys the composed node tree before constructing it, so each finding has a key path.
    """

    def __init__(self, stream: str) -> None:
        """Prepare to load ``stream``."""
        super().__init__(stream)
        self.duplicates: list[_Duplicate] = []
        self.key_lines: dict[str, int] = {}

    def construct_document(self, node: Node) -> Any:
        """Survey ``node`` for duplicates and key lines, then return the constructed data."""
        self._survey(node, "", set())
        return super().construct_document(node)

    def _survey(self, node: Node, path: str, seen: set[int]) -> None:
        """Walk ``node`` once (aliases may repeat or nest it), recording keys and duplicates."""
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, MappingNode):
            self._survey_mapping(node, path, seen)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self._survey(item, f"{path}[{index}]", seen)

    def _survey_mapping(self, node: MappingNode, path: str, seen: set[int]) -> None:
        """Record each key's line, and every key given again in the same mapping."""
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            # "<<" merge keys may repeat by design and their keys are not in the file here.
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node.value, str):
                continue
            key = key_node.value
            key_path = f"{path}.{key}" if path else key
            line = key_node.start_mark.line + 1
            if key in first:
                self.duplicates.append(_Duplicate(key_path, key, line, first[key]))
            else:
                first[key] = line
                self.key_lines[key_path] = line
            self._survey(value_node, key_path, seen)


# ---------------------------------------------------------------------------------------------
# Validation machinery


@dataclass(frozen=True, slots=True)
class _Field:
    """A value from the file and the key path it was found at."""

    value: object
    path: str


class _Problems:
    """Collects problems and warnings, each one line, in order, without repeats.

    Defaults are merged under every router, so a bad default would otherwise repeat per router.
    """

    __slots__ = ("source", "lines", "found", "warnings")

    def __init__(self, source: str, lines: Mapping[str, int]) -> None:
        """Start an empty collection for the file labelled ``source``."""
        self.source = source
        self.lines = lines
        self.found: dict[str, None] = {}
        self.warnings: dict[str, None] = {}

    def add(self, path: str, expected: str, got: str, line: int | None = None) -> None:
        """Record that at ``path`` we expected ``expected`` and got ``got`` (already shown)."""
        self.found[self._line(path, f"expected {expected}, got {got}", line)] = None

    def warn(self, path: str, text: str) -> None:
        """Record a lint warning about ``path``."""
        self.warnings[self._line(path, text, None)] = None

    def _line(self, path: str, text: str, line: int | None) -> str:
        """Return ``source: path: text (line N)``; N is the nearest known line of the path."""
        line = line if line is not None else self._nearest_line(path)
        suffix = f" (line {line})" if line is not None else ""
        return f"{self.source}: {path or '(top level)'}: {text}{suffix}"

    def _nearest_line(self, path: str) -> int | None:
        """Return the line of ``path`` or of its nearest ancestor in the file, if known."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return None


def _show(value: object) -> str:
    """Return ``value`` as the message shows it: YAML words for null/booleans, else repr."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _quoted(names: Sequence[str] | Mapping[str, object]) -> str:
    """Return ``'a', 'b', 'c'``."""
    return ", ".join(repr(n) for n in names)


def _hint(word: str, choices: Sequence[str] | Mapping[str, object]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or "" if none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _child(path: str, key: object) -> str:
    """Return the key path of ``key`` under ``path``."""
    return f"{path}.{key}" if path else str(key)


def _mapping(
    f: _Field, allowed: Sequence[str] | None, problems: _Problems
) -> dict[str, _Field] | None:
    """Return the string-keyed entries of a mapping, reporting non-strings and unknown keys.

    ``allowed`` None accepts any string key. Returns None (reported) if ``f`` is no mapping.
    """
    if not isinstance(f.value, dict):
        expected = f"a mapping with keys among {_quoted(allowed)}" if allowed else "a mapping"
        problems.add(f.path, expected, _show(f.value))
        return None
    entries: dict[str, _Field] = {}
    for key, value in f.value.items():
        path = _child(f.path, key)
        if not isinstance(key, str):
            problems.add(path, "a string key (quote it)", _show(key))
        elif allowed is not None and key not in allowed:
            problems.add(path, f"one of {_quoted(allowed)}", f"{key!r}{_hint(key, allowed)}")
        else:
            entries[key] = _Field(value, path)
    return entries


def _need(
    entries: Mapping[str, _Field], key: str, parent: str, expected: str, problems: _Problems
) -> _Field | None:
    """Return the entry ``key``, or None after reporting that it is missing."""
    if key not in entries:
        problems.add(_child(parent, key), expected, "nothing")
        return None
    return entries[key]


def _opt(
    entries: Mapping[str, _Field],
    key: str,
    parse: Callable[[_Field, _Problems], _T],
    default: _T,
    problems: _Problems,
) -> _T:
    """Return ``parse`` of the entry ``key`` if present, else ``default``."""
    return parse(entries[key], problems) if key in entries else default


def _text(f: _Field, problems: _Problems, expected: str = "a non-empty string") -> str:
    """Return a non-empty string; reports and returns "" otherwise."""
    if isinstance(f.value, str) and f.value.strip():
        return f.value
    problems.add(f.path, expected, _show(f.value))
    return ""


def _any_text(f: _Field, problems: _Problems) -> str:
    """Return a string, possibly empty; reports and returns "" otherwise."""
    if isinstance(f.value, str):
        return f.value
    problems.add(f.path, "a string", _show(f.value))
    return ""


def _matching(f: _Field, pattern: re.Pattern[str], expected: str, problems: _Problems) -> str:
    """Return a string matching ``pattern``; reports and returns "" otherwise."""
    if isinstance(f.value, str) and pattern.match(f.value):
        return f.value
    problems.add(f.path, expected, _show(f.value))
    return ""


def _flag(f: _Field, problems: _Problems) -> bool:
    """Return a boolean; reports and returns False otherwise."""
    if isinstance(f.value, bool):
        return f.value
    problems.add(f.path, "true or false", _show(f.value))
    return False


def _seconds(f: _Field, problems: _Problems) -> float:
    """Return a finite number of seconds > 0; reports and returns 1.0 otherwise."""
    value = f.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value) and value > 0:
            return float(value)
    problems.add(f.path, "a number of seconds > 0", _show(value))
    return 1.0


def _file_path(f: _Field, problems: _Problems) -> Path:
    """Return a file path with ``~`` expanded; reports and returns Path() otherwise."""
    return Path(_text(f, problems, "a file path")).expanduser()


def _choice(f: _Field, kind: type[_E], default: _E, problems: _Problems) -> _E:
    """Return the member of ``kind`` whose value is ``f``; reports and returns ``default``."""
    for member in kind:
        if f.value == member.value:
            return member
    names = [str(m.value) for m in kind]
    got = _show(f.value) + (_hint(f.value, names) if isinstance(f.value, str) else "")
    problems.add(f.path, f"one of {_quoted(names)}", got)
    return default


def _port(f: _Field, lab: bool, problems: _Problems) -> int:
    """Return a TCP port; 0 (pick a free one) only when not ``lab``. Reports and returns 0."""
    value = f.value
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 65535:
        problems.add(f.path, "an integer 0..65535", _show(value))
        return 0
    if value == 0 and lab:
        problems.add(
            f.path, "a port 1..65535 on a lab router (0 = pick a free port: emulated only)", "0"
        )
    return value


# ---------------------------------------------------------------------------------------------
# Sections


def _endpoint(f: _Field, lab: bool, default_port: int | None, problems: _Problems) -> Endpoint:
    """Return the endpoint ``{host, port}``; a missing port is ``default_port`` if given."""
    entries = _mapping(f, _ENDPOINT_KEYS, problems) or {}
    host_f = _need(entries, "host", f.path, "a host name or address", problems)
    host = _matching(host_f, _HOST_RE, "a host name or address", problems) if host_f else ""
    if "port" in entries or default_port is None:
        port_f = _need(entries, "port", f.path, "an integer 0..65535", problems)
        port = _port(port_f, lab, problems) if port_f else 0
    else:
        port = default_port
    return Endpoint(host, port)


def _section(
    key: str,
    allowed: Sequence[str] | None,
    layers: Sequence[Mapping[str, _Field]],
    problems: _Problems,
    together: Sequence[str] = (),
) -> dict[str, _Field] | None:
    """Return section ``key`` merged over ``layers`` (later wins per key), None if absent.

    A layer naming any key of ``together`` (alternatives such as the two password sources)
    replaces all of them from the layers under it.
    """
    merged: dict[str, _Field] | None = None
    for layer in layers:
        if key not in layer:
            continue
        entries = _mapping(layer[key], allowed, problems) or {}
        merged = dict(merged or {})
        if any(alternative in entries for alternative in together):
            for alternative in together:
                merged.pop(alternative, None)
        merged.update(entries)
    return merged


def _credentials(
    entries: Mapping[str, _Field] | None, path: str, router: str, problems: _Problems
) -> Credentials:
    """Return the credentials of ``path``; a missing section or username is reported."""
    if entries is None:
        problems.add(path, "a mapping with a username (here or under defaults)", "nothing")
        return Credentials(username="", router=router)
    user_f = _need(entries, "username", path, "a user name", problems)
    username = _text(user_f, problems, "a user name") if user_f else ""
    secret = _opt(entries, "password", _password, None, problems)
    env = _opt(entries, "password_env", _env_name, None, problems)
    if "password" in entries and "password_env" in entries:
        got = "both"
        problems.add(entries["password_env"].path, "password or password_env, not both", got)
    origin_path = entries["password_env"].path if "password_env" in entries else path
    return Credentials(
        username=username,
        secret=secret,
        password_env=env,
        key_file=_opt(entries, "key_file", _file_path, None, problems),
        allow_agent=_opt(entries, "allow_agent", _flag, False, problems),
        router=router,
        origin=f"{problems.source}: {origin_path}",
    )


def _password(f: _Field, problems: _Problems) -> str:
    """Return a password string (numbers must be quoted: YAML would make them ints)."""
    return _text(f, problems, "a password string (quote digits)")


def _env_name(f: _Field, problems: _Problems) -> str:
    """Return an environment variable name."""
    return _matching(f, _ENV_RE, "an environment variable name such as LAB_PASSWORD", problems)


def _host_keys(
    entries: Mapping[str, _Field] | None, emulated: bool, problems: _Problems
) -> HostKeys:
    """Return the host-key policy; defaults: ignore if emulated, known_hosts for a lab."""
    entries = entries or {}
    default = HostKeyPolicy.IGNORE if emulated else HostKeyPolicy.KNOWN_HOSTS
    policy = _opt(
        entries, "policy", lambda f, p: _choice(f, HostKeyPolicy, default, p), default, problems
    )
    known = _opt(entries, "known_hosts", _file_path, None, problems)
    if known is None and policy is not HostKeyPolicy.IGNORE:
        known = Path("~/.ssh/known_hosts").expanduser()
    return HostKeys(policy, known)


def _timeouts(entries: Mapping[str, _Field] | None, problems: _Problems) -> Timeouts:
    """Return the timeouts, each a number of seconds > 0, defaults for the rest."""
    values = {key: _seconds(f, problems) for key, f in (entries or {}).items()}
    return Timeouts(**values)


def _faults(entries: Mapping[str, _Field] | None, problems: _Problems) -> dict[str, FaultAction]:
    """Return the faults by name (free-form names such as halt_re, power_on_re)."""
    faults: dict[str, FaultAction] = {}
    for name, f in (entries or {}).items():
        if not _NAME_RE.match(name):
            problems.add(f.path, "a fault name of letters, digits, '_', '.', '-'", repr(name))
        faults[name] = _fault(f, problems)
    return faults


def _fault(f: _Field, problems: _Problems) -> FaultAction:
    """Return one fault: ``{rpc: name, args: {...}}`` or ``{command: template}``."""
    entries = _mapping(f, _FAULT_KEYS, problems) or {}
    if ("rpc" in entries) == ("command" in entries):
        problems.add(f.path, "exactly one of 'rpc', 'command'", _show(f.value))
        return FaultAction(command="")
    if "args" in entries and "rpc" not in entries:
        problems.add(entries["args"].path, "args only with rpc", _show(entries["args"].value))
    if "rpc" in entries:
        rpc = _matching(entries["rpc"], _XML_NAME_RE, "an RPC name such as request-halt", problems)
        args: dict[str, str | int | bool] = _opt(entries, "args", _rpc_args, {}, problems)
        return FaultAction(rpc=rpc, args=args)
    return FaultAction(command=_command(entries["command"], problems))


def _rpc_args(f: _Field, problems: _Problems) -> dict[str, str | int | bool]:
    """Return RPC arguments: element names to strings, integers or true (an empty element)."""
    args: dict[str, str | int | bool] = {}
    for name, arg in (_mapping(f, None, problems) or {}).items():
        if not _XML_NAME_RE.match(name):
            problems.add(arg.path, "an XML element name", repr(name))
        if isinstance(arg.value, str | int | bool):
            args[name] = arg.value
        else:
            problems.add(arg.path, "a string, an integer or true", _show(arg.value))
    return args


def _command(f: _Field, problems: _Problems) -> str:
    """Return a command template whose only placeholders are PLACEHOLDERS."""
    command = _text(f, problems, "a command line")
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(command) if name is not None]
    except ValueError:
        problems.add(f.path, "a command template (write {{ and }} for braces)", _show(command))
        return command
    allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
    for name in names:
        if name not in PLACEHOLDERS:
            problems.add(f.path, f"placeholders among {allowed}", f"{{{name}}}")
    return command


def _per_re(f: _Field, re_names: Sequence[str], problems: _Problems) -> dict[str, _Field]:
    """Return the entries of a mapping keyed by RE slots this router has."""
    entries = _mapping(f, RE_NAMES, problems) or {}
    for name, entry in list(entries.items()):
        if name not in re_names:
            problems.add(entry.path, f"an RE this router has ({_quoted(re_names)})", repr(name))
            del entries[name]
    return entries


def _per_re_text(
    f: _Field, re_names: Sequence[str], expected: str, problems: _Problems
) -> dict[str, str]:
    """Return a per-RE mapping of non-empty strings (e.g. versions)."""
    entries = _per_re(f, re_names, problems)
    return {name: _text(entry, problems, expected) for name, entry in entries.items()}


def _emulator(
    entries: Mapping[str, _Field] | None, name: str, re_names: Sequence[str], problems: _Problems
) -> EmulatorSettings:
    """Return the emulator settings; the hostname defaults to the router name."""
    entries = entries or {}

    def per_re(key: str, expected: str) -> dict[str, str]:
        return _opt(entries, key, lambda f, p: _per_re_text(f, re_names, expected, p), {}, problems)

    return EmulatorSettings(
        time=_opt(
            entries,
            "time",
            lambda f, p: _choice(f, TimeMode, TimeMode.VIRTUAL, p),
            TimeMode.VIRTUAL,
            problems,
        ),
        versions=per_re("versions", "a Junos version string such as '15.1F5.15'"),
        re_models=per_re("re_models", "an RE model string such as 'RE-S-1800x4'"),
        serials=per_re("serials", "a serial number string"),
        hostname=_opt(entries, "hostname", _hostname, name, problems),
        config=_opt(entries, "config", _any_text, "", problems),
        boot_time=_opt(entries, "boot_time", _seconds, 180.0, problems),
        platform=_opt(entries, "platform", _plain_mapping, {}, problems),
    )


def _plain_mapping(f: _Field, problems: _Problems) -> dict[str, Any]:
    """Return a mapping with string keys as plain data (its fields are checked elsewhere)."""
    entries = _mapping(f, None, problems)
    return {key: entry.value for key, entry in (entries or {}).items()}


def _hostname(f: _Field, problems: _Problems) -> str:
    """Return a host name of letters, digits, '_', '.', '-'."""
    return _matching(f, _NAME_RE, "a host name of letters, digits, '_', '.', '-'", problems)


# ---------------------------------------------------------------------------------------------
# Routers and the whole file


def _router(
    name: str, f: _Field, defaults: Mapping[str, _Field], problems: _Problems
) -> RouterSpec:
    """Return router ``name`` with ``defaults`` merged under its own keys."""
    own = _mapping(f, _ROUTER_KEYS, problems) or {}
    top = {**defaults, **own}
    layers = [defaults, own]
    emulated = _opt(top, "emulated", _flag, False, problems)
    endpoints = _endpoints(own, f.path, emulated, problems)
    # Lab routers take no emulator-only sections from the defaults (a mixed testbed is fine),
    # but a lab router that sets one itself is told.
    emulator_layers = layers if emulated else [own]
    credentials = _section("credentials", _CREDENTIAL_KEYS, layers, problems, _PASSWORD_SOURCES)
    host_keys = _host_keys(
        _section("host_keys", _HOST_KEY_KEYS, layers, problems), emulated, problems
    )
    if not emulated:
        _lint_lab(credentials, host_keys, f.path, problems)
    return RouterSpec(
        name=name,
        platform=_platform(top, f.path, problems),
        emulated=emulated,
        allow_disruptive=_opt(top, "allow_disruptive", _flag, emulated, problems),
        endpoints=endpoints,
        master_only=_master_only(own, emulated, problems),
        console=_console(own, tuple(endpoints), emulated, problems),
        credentials=_credentials(credentials, _child(f.path, "credentials"), name, problems),
        control=_control(emulator_layers, f.path, name, emulated, problems),
        host_keys=host_keys,
        timeouts=_timeouts(_section("timeouts", _TIMEOUT_KEYS, layers, problems), problems),
        faults=_faults(_section("faults", None, layers, problems), problems),
        emulator=_emulator_section(
            emulator_layers, name, tuple(endpoints), emulated, f.path, problems
        ),
    )


def _platform(top: Mapping[str, _Field], path: str, problems: _Problems) -> str:
    """Return the platform name (checked against the emulator's catalogue elsewhere)."""
    expected = "a platform name such as 'MX480'"
    platform_f = _need(top, "platform", path, expected, problems)
    return _text(platform_f, problems, expected) if platform_f else ""


def _master_only(own: Mapping[str, _Field], emulated: bool, problems: _Problems) -> Endpoint | None:
    """Return the address that always reaches the master RE, if the router has one."""
    if "master_only" not in own:
        return None
    return _endpoint(own["master_only"], not emulated, _default_port(emulated), problems)


def _default_port(emulated: bool) -> int:
    """Return the port used when none is given: 0 (free port) if emulated, else NETCONF's 830."""
    return 0 if emulated else NETCONF_PORT


def _endpoints(
    own: Mapping[str, _Field], path: str, emulated: bool, problems: _Problems
) -> dict[str, Endpoint]:
    """Return the per-RE endpoints; re0 is required, re1 optional (single-RE platforms)."""
    endpoints: dict[str, Endpoint] = {}
    for re_name in RE_NAMES:
        f = own.get(re_name)
        if f is None and re_name == "re0":
            problems.add(_child(path, "re0"), "a mapping {host, port}", "nothing")
        elif f is not None:
            endpoints[re_name] = _endpoint(f, not emulated, _default_port(emulated), problems)
    return endpoints


def _console(
    own: Mapping[str, _Field], re_names: Sequence[str], emulated: bool, problems: _Problems
) -> dict[str, Endpoint]:
    """Return the console endpoints per RE (a terminal server's host and port)."""
    if "console" not in own:
        return {}
    entries = _per_re(own["console"], re_names, problems)
    return {name: _endpoint(f, not emulated, None, problems) for name, f in entries.items()}


def _control(
    layers: Sequence[Mapping[str, _Field]],
    path: str,
    name: str,
    emulated: bool,
    problems: _Problems,
) -> Credentials | None:
    """Return the emulator's control user: required if emulated, refused on a lab router."""
    entries = _section("control", _CREDENTIAL_KEYS, layers, problems, _PASSWORD_SOURCES)
    control_path = _child(path, "control")
    if not emulated:
        if entries is not None:
            problems.add(
                control_path, "no control user on a lab router (emulated only)", "a control section"
            )
        return None
    return _credentials(entries, control_path, name, problems)


def _emulator_section(
    layers: Sequence[Mapping[str, _Field]],
    name: str,
    re_names: Sequence[str],
    emulated: bool,
    path: str,
    problems: _Problems,
) -> EmulatorSettings | None:
    """Return the emulator settings of an emulated router; refused on a lab router."""
    entries = _section("emulator", _EMULATOR_KEYS, layers, problems)
    if not emulated:
        if entries is not None:
            problems.add(
                _child(path, "emulator"),
                "no emulator section on a lab router",
                "an emulator section",
            )
        return None
    return _emulator(entries, name, re_names, problems)


def _lint_lab(
    credentials: Mapping[str, _Field] | None,
    host_keys: HostKeys,
    path: str,
    problems: _Problems,
) -> None:
    """Warn about what a lab router may do but should not: a password in the file, no key check."""
    if credentials is not None and "password" in credentials:
        problems.warn(
            credentials["password"].path,
            "a lab router's password is written in the file; prefer password_env",
        )
    if host_keys.policy is HostKeyPolicy.IGNORE:
        problems.warn(
            _child(path, "host_keys.policy"),
            "a lab router's host key is not checked; prefer known_hosts or accept_new",
        )


def _routers(
    top: Mapping[str, _Field], defaults: Mapping[str, _Field], problems: _Problems
) -> dict[str, RouterSpec]:
    """Return the routers in file order; names must match ``[A-Za-z0-9_.-]+``."""
    routers_f = _need(top, "routers", "", "a mapping of router names to routers", problems)
    entries = (_mapping(routers_f, None, problems) if routers_f else None) or {}
    if routers_f is not None and isinstance(routers_f.value, dict) and not entries:
        problems.add("routers", "at least one router", _show(routers_f.value))
    routers: dict[str, RouterSpec] = {}
    for name, f in entries.items():
        if not _NAME_RE.match(name):
            problems.add(f.path, "a router name of letters, digits, '_', '.', '-'", repr(name))
        routers[name] = _router(name, f, defaults, problems)
    return routers


def _labelled_endpoints(spec: RouterSpec) -> Iterator[tuple[str, Endpoint]]:
    """Yield every endpoint of ``spec`` with its key path."""
    base = _child("routers", spec.name)
    for re_name, endpoint in spec.endpoints.items():
        yield _child(base, re_name), endpoint
    if spec.master_only is not None:
        yield _child(base, "master_only"), spec.master_only
    for re_name, endpoint in spec.console.items():
        yield _child(base, f"console.{re_name}"), endpoint


def _check_unique(routers: Mapping[str, RouterSpec], problems: _Problems) -> None:
    """Report a fixed host:port used twice (a copy-paste slip would drive the wrong router)."""
    seen: dict[tuple[str, int], str] = {}
    for spec in routers.values():
        for path, endpoint in _labelled_endpoints(spec):
            if endpoint.port == 0 or not endpoint.host:
                continue
            key = (endpoint.host.lower(), endpoint.port)
            if key in seen:
                expected = f"an address no other endpoint uses ({seen[key]} has it)"
                problems.add(path, expected, repr(str(endpoint)))
            else:
                seen[key] = path


def _testbed_name(top: Mapping[str, _Field], fallback: str, problems: _Problems) -> str:
    """Return ``testbed.name``, or ``fallback`` (the file's stem) if there is none."""
    if "testbed" not in top:
        return fallback
    entries = _mapping(top["testbed"], _TESTBED_KEYS, problems) or {}
    if "description" in entries:
        _any_text(entries["description"], problems)
    return _opt(entries, "name", _text, fallback, problems)


def _parse(
    data: object,
    source: str,
    path: Path | None,
    lines: Mapping[str, int],
    duplicates: Sequence[_Duplicate],
) -> Testbed:
    """Return the validated testbed, or raise one TestbedError listing every problem.

    Raises:
        TestbedError: with every problem found, duplicate keys first.
    """
    problems = _Problems(source, lines)
    for dup in duplicates:
        got = f"{dup.key!r} again (first at line {dup.first_line})"
        problems.add(dup.path, "each key once per mapping", got, line=dup.line)
    top = _mapping(_Field(data, ""), _TOP_KEYS, problems) or {}
    defaults = _mapping(top["defaults"], _DEFAULT_KEYS, problems) if "defaults" in top else {}
    routers = _routers(top, defaults or {}, problems)
    _check_unique(routers, problems)
    name = _testbed_name(top, path.stem if path is not None else source, problems)
    if problems.found:
        raise TestbedError(list(problems.found))
    return Testbed(
        name=name, path=path, routers=routers, source=source, warnings=tuple(problems.warnings)
    )
