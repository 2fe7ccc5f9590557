"""The testbed file, declared: what may be written where (``testbeds/README.md`` in prose).

These models describe the YAML as written: a router's own section and the ``defaults`` it
inherits are validated each on its own (a bad default is reported once, at its own path), then
:mod:`re_contract.testbed` merges them into frozen records.  So keys that ``defaults`` may give
are optional here; the merge reports what is still missing.

``python -m re_contract.schema`` prints the JSON Schema that ``testbeds/testbed.schema.json``
publishes for editors (VS Code's YAML extension completes and checks testbeds with it).
"""

from __future__ import annotations

import json
import string
import sys
from enum import Enum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from re_contract.limits import LimitsSection
from re_contract.platform import PlatformOverride
from re_contract.schema_types import (
    EnvName,
    Expect,
    Flag,
    Host,
    Name,
    Port,
    RpcArgument,
    Seconds,
    Section,
    Text,
    XmlName,
    refuse,
    show,
)
from re_contract.snapshots import SnapshotsSection

__all__ = [
    "PLACEHOLDERS",
    "BudgetsSection",
    "Consoles",
    "CredentialsSection",
    "DefaultsSection",
    "EmulatorSection",
    "EndpointSection",
    "FaultSection",
    "HostKeyPolicy",
    "HostKeysSection",
    "RouterSection",
    "TestbedFile",
    "TestbedInfo",
    "TimeMode",
    "TimeoutsSection",
    "json_schema",
]

#: The names a fault ``command`` template may use, e.g. ``pdu-off.sh {router} {re}``.
PLACEHOLDERS: tuple[str, ...] = ("router", "re", "host")


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


class EndpointSection(Section):
    """``{host, port}``: an RE's management address, the master-only address or a console."""

    model_config = ConfigDict(title="Endpoint")

    host: Host
    port: Annotated[Port, Field(description=(
        "0..65535; default 830 (RFC 6242) on a lab router, 0 (a free port) if emulated; "
        "required for a console"))] | None = None


class Consoles(Section):
    """Per RE, the endpoint of its console (a terminal server's host and port)."""

    re0: EndpointSection | None = None
    re1: EndpointSection | None = None


class CredentialsSection(Section):
    """A login: ``credentials`` (NETCONF/SSH) or ``control`` (the emulator's control user)."""

    model_config = ConfigDict(title="Credentials")

    username: Annotated[Text, Expect("a user name")] | None = None
    password: Annotated[Text, Expect("a password string (quote digits)")] | None = None
    password_env: Annotated[EnvName, Field(
        description="the NAME of an environment variable holding the password")] | None = None
    key_file: Annotated[Text, Expect("a file path")] | None = None
    allow_agent: Flag | None = None


class HostKeysSection(Section):
    """SSH host-key checking."""

    model_config = ConfigDict(title="Host keys")

    policy: Annotated[HostKeyPolicy, Field(strict=False)] | None = None
    known_hosts: Annotated[Text, Expect("a file path")] | None = None


class TimeoutsSection(Section):
    """Seconds the harness waits (numbers > 0)."""

    model_config = ConfigDict(title="Timeouts")

    connect: Annotated[Seconds, Field(description="open a session (default 10)")] | None = None
    rpc: Annotated[Seconds, Field(description="one RPC reply (default 30)")] | None = None
    switchover: Annotated[Seconds, Field(
        description="a switchover's end state (default 600)")] | None = None
    reboot: Annotated[Seconds, Field(description="an RE back after a reboot (default 900)")
                      ] | None = None
    halt: Annotated[Seconds, Field(description="an RE halted (default 120)")] | None = None
    keepalive_failover: Annotated[Seconds, Field(
        description="the keepalive failover (default 900)")] | None = None


class BudgetsSection(Section):
    """Pass/fail budgets of the acceptance profile: router seconds from a switchover command
    (numbers > 0; defaults from featureprofiles gNOI-3.3)."""

    model_config = ConfigDict(title="Budgets")

    forwarding_restored: Annotated[Seconds, Field(
        description="every FPC of the new master Online (default 1200)")] | None = None
    backup_ready: Annotated[Seconds, Field(
        description="the new backup ready to take over (default 2700)")] | None = None


class FaultSection(Section):
    """How a lab makes one fault: an RPC sent to the router, or a local command (exactly one)."""

    model_config = ConfigDict(title="Fault")

    rpc: Annotated[XmlName, Expect("an RPC name such as request-halt")] | None = None
    command: Annotated[str, Expect("a command line"), Field(
        description="a local shell command; placeholders {router}, {re}, {host}")] | None = None

    args: Annotated[
        dict[Annotated[XmlName, Expect("an XML element name")], RpcArgument],
        Field(description="with rpc only: child elements, name -> string, integer or true"),
    ] | None = None
    @field_validator("command")
    @classmethod
    def _placeholders(cls, command: str) -> str:
        """Return ``command`` if its only placeholders are :data:`PLACEHOLDERS`."""
        try:
            names = [n for _, n, _, _ in string.Formatter().parse(command) if n is not None]
        except ValueError:
            raise refuse("a command template (write {{ and }} for braces)") from None
        allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        for name in names:
            if name not in PLACEHOLDERS:
                raise refuse(f"placeholders among {allowed}", got=show(f"{{{name}}}")[1:-1])
        return command

    @model_validator(mode="after")
    def _one_way(self) -> FaultSection:
        """Check that exactly one of rpc and command is given, and args only with rpc."""
        if (self.rpc is None) == (self.command is None):
            raise refuse("exactly one of 'rpc', 'command'")
        if self.args is not None and self.rpc is None:
            raise refuse("args only with rpc", got=show(self.args), at="args")
        return self


_VERSION = Expect("a Junos version string such as '15.1F5.15'")
_RE_MODEL = Expect("an RE model string such as 'RE-S-1800x4'")
_SERIAL = Expect("a serial number string")


class Versions(Section):
    """Junos version per RE; a mismatch is modelled."""

    re0: Annotated[Text, _VERSION] | None = None
    re1: Annotated[Text, _VERSION] | None = None


class ReModels(Section):
    """RE model per RE."""

    re0: Annotated[Text, _RE_MODEL] | None = None
    re1: Annotated[Text, _RE_MODEL] | None = None


class Serials(Section):
    """Serial number per RE."""

    re0: Annotated[Text, _SERIAL] | None = None
    re1: Annotated[Text, _SERIAL] | None = None


class EmulatorSection(Section):
    """Settings of an emulated router (refused on a lab router)."""

    model_config = ConfigDict(title="Emulator settings")

    time: Annotated[TimeMode, Field(strict=False)] | None = None
    versions: Versions | None = None
    re_models: ReModels | None = None
    serials: Serials | None = None
    hostname: Annotated[Name, Expect("a host name of letters, digits, '_', '.', '-'")] | None = None
    config: Annotated[str, Expect("a string"), Field(
        description="initial configuration in set format, applied on both REs")] | None = None
    boot_time: Annotated[Seconds, Field(
        description="seconds a reboot takes (default: the platform's timing.boot)")] | None = None
    platform: PlatformOverride | None = None
    netconf_base_1_1: Annotated[Flag, Field(description=(
        "true: the NETCONF hello offers base:1.1 too (chunked framing with clients that speak "
        "it); default false: the real Junos hello, base:1.0 only"))] | None = None
    state_dir: Annotated[Text, Expect("a directory path"), Field(
        description="a state directory (as re-emulator clone or serve --state-dir writes it): "
                    "the router starts, and is reset, as saved there; relative to the testbed "
                    "file")] | None = None
    limits: LimitsSection | None = None


FaultName = Annotated[Name, Expect("a fault name of letters, digits, '_', '.', '-'")]


class DefaultsSection(Section):
    """Values merged under every router (scalars: the router's wins; sections: key by key)."""

    model_config = ConfigDict(title="Defaults")

    platform: Annotated[Text, Expect("a platform name such as 'MX480'")] | None = None
    emulated: Annotated[Flag, Field(
        description="true: the plugin starts this router in the in-process emulator")] | None = None
    allow_disruptive: Annotated[Flag, Field(
        description="may tests switch over, halt, reboot or power-cycle it?")] | None = None
    credentials: CredentialsSection | None = None
    control: Annotated[CredentialsSection, Field(
        description="the emulator's control user (emulated routers only)")] | None = None
    host_keys: HostKeysSection | None = None
    timeouts: TimeoutsSection | None = None
    budgets: BudgetsSection | None = None
    faults: Annotated[dict[FaultName, FaultSection], Expect("a mapping")] | None = None
    emulator: EmulatorSection | None = None
    snapshots: Annotated[SnapshotsSection, Field(
        description="what pre/post snapshots capture and the rules of their diffs")] | None = None


class RouterSection(DefaultsSection):
    """One router: the defaults' keys plus its endpoints."""

    model_config = ConfigDict(title="Router")

    re0: Annotated[EndpointSection, Field(description="RE0's management address (fxp0)")
                   ] | None = None
    re1: Annotated[EndpointSection, Field(description="RE1's management address (fxp0)")
                   ] | None = None
    master_only: Annotated[EndpointSection, Field(
        description="an address that always reaches the current master RE")] | None = None
    console: Consoles | None = None


class TestbedInfo(Section):
    """About the testbed itself."""

    __test__ = False  # not a pytest test class
    model_config = ConfigDict(title="Testbed")

    name: Annotated[Text, Expect("a non-empty string")] | None = None
    description: Annotated[str, Expect("a string")] | None = None


RouterName = Annotated[Name, Expect("a router name of letters, digits, '_', '.', '-'")]


class TestbedFile(Section):
    """A testbed file (``testbeds/README.md``)."""

    __test__ = False  # not a pytest test class
    model_config = ConfigDict(title="re-redundancy-harness testbed")

    testbed: TestbedInfo | None = None
    defaults: DefaultsSection | None = None
    routers: Annotated[
        dict[RouterName, RouterSection], Expect("a mapping of router names to routers")
    ]

    @field_validator("routers")
    @classmethod
    def _some(cls, routers: dict[str, RouterSection]) -> dict[str, RouterSection]:
        """Return ``routers`` unless it is empty."""
        if not routers:
            raise refuse("at least one router")
        return routers


class _NoNullSchema(GenerateJsonSchema):
    """JSON Schema as written in YAML: the loader refuses nulls, so no ``null`` alternative."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        """Return the schema of the value without null."""
        return self.generate_inner(schema["schema"])

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        """Return a mapping's schema with its key pattern as ``propertyNames``, so an editor
        flags a key that breaks it (pydantic emits ``patternProperties``, which lets it by)."""
        value = super().dict_schema(schema)
        patterns = value.pop("patternProperties", None)
        if patterns and len(patterns) == 1:
            (pattern, values), = patterns.items()
            value["propertyNames"] = {**value.get("propertyNames", {}), "pattern": pattern}
            value["additionalProperties"] = values
        elif patterns:
            value["patternProperties"] = patterns
        return value

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        """Return the schema of the value; a None default (absent) is not shown."""
        value = super().default_schema(schema)
        if value.get("default", ...) is None:
            del value["default"]
        return value


def json_schema() -> dict[str, Any]:
    """Return the testbed's JSON Schema (draft 2020-12), as published for editors."""
    value = TestbedFile.model_json_schema(schema_generator=_NoNullSchema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **value}


def main() -> int:
    """Write the JSON Schema to standard output; return the exit status."""
    sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
