"""What a loaded testbed is: frozen records, defaults merged in and every value checked.

Mappings in the records are plain ``dict`` objects typed ``Mapping`` (read-only by contract):
unlike ``MappingProxyType`` they pickle and deep-copy, which pytest-xdist and the plugin need.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from re_contract.errors import TestbedError
from re_contract.limits import LimitsSection
from re_contract.listeners import is_loopback
from re_contract.platform import PlatformOverride
from re_contract.problems import Problems, hint, quoted
from re_contract.schema import HostKeyPolicy, TimeMode
from re_contract.snapshots import SnapshotSettings

__all__ = [
    "Budgets",
    "Credentials",
    "EmulatorSettings",
    "Endpoint",
    "FaultAction",
    "HostKeys",
    "Origin",
    "RouterSpec",
    "Testbed",
    "Timeouts",
]


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

    @property
    def loopback(self) -> bool:
        """Return True when the host is this machine only (``localhost``, 127/8, ::1)."""
        return is_loopback(self.host)


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


@dataclass(frozen=True, slots=True)
class Budgets:
    """Pass/fail budgets of the acceptance profile, per router: router seconds from a
    switchover command (all > 0).  Defaults from OpenConfig featureprofiles gNOI-3.3
    "Supervisor Switchover": 900 s for the standby to become primary, then 300 s for the ports
    to be up again, and 1800 s for the standby to be switchover-ready."""

    #: Every FPC of the new master Online (``show chassis fpc``).
    forwarding_restored: float = 1200.0
    #: The new backup ready to take over (``show system switchover``).
    backup_ready: float = 2700.0


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
    #: Seconds of (virtual) time a reboot takes; None: the platform's ``timing.boot``.
    boot_time: float | None = None
    #: Catalogue fields overriding (or, with ``base:``, defining) this router's platform,
    #: checked against the catalogue by the emulator when it builds the router.
    platform: PlatformOverride | None = None
    #: Offer NETCONF base:1.1 in the server hello besides base:1.0 (clients that speak it then
    #: use chunked framing); False: the real Junos hello, base:1.0 only.
    netconf_base_1_1: bool = False
    #: A state directory (``re-emulator clone``, ``serve --state-dir``) holding this router's
    #: recorded state (committed configuration and mastership log per RE, clock), which it
    #: starts and is reset from; relative paths are resolved against the testbed file's
    #: directory when the testbed is loaded from a file.
    state_dir: Path | None = None
    #: The router's SSH/NETCONF limits the testbed sets (the emulator's defaults for the rest).
    limits: LimitsSection | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: the file's label and the line of every key path in it."""

    source: str = "<testbed>"
    lines: Mapping[str, int] = field(default_factory=dict)

    def error(self, keys: Sequence[str | int], expected: str, got: str) -> TestbedError:
        """Return the error ``source: key.path: expected ..., got ... (line N)`` for ``keys``
        (mapping keys and list indexes from the top of the file)."""
        path = ""
        for key in keys:
            path = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
        return TestbedError(Problems(self.source, self.lines).line(
            path, f"expected {expected}, got {got}"))


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
    budgets: Budgets = Budgets()
    faults: Mapping[str, FaultAction] = field(default_factory=dict)
    #: Emulator settings (emulated routers only).
    emulator: EmulatorSettings | None = None
    #: What pre/post snapshots capture beyond the built-in items, and the rules of their diffs.
    snapshots: SnapshotSettings = SnapshotSettings()
    origin: Origin = field(default=Origin(), compare=False, repr=False)

    @property
    def re_names(self) -> tuple[str, ...]:
        """Return the RE slots this router has, e.g. ``("re0", "re1")``."""
        return tuple(self.endpoints)

    def problem(self, keys: Sequence[str | int], expected: str, got: str) -> TestbedError:
        """Return the error about the value at ``keys`` under this router's entry, e.g.
        ``("emulator", "platform", "re_slots")``, naming the file, key path and line."""
        return self.origin.error(("routers", self.name, *keys), expected, got)


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
            raise TestbedError(
                f"{self.source}: routers: expected one of {quoted(self.routers)}, "
                f"got {name!r}{hint(name, self.routers)}"
            ) from None

    def lint_warnings(self) -> tuple[str, ...]:
        """Return the warnings found on loading (e.g. a lab password written in the file)."""
        return self.warnings
