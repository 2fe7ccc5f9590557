"""Translate a testbed router (``re_contract.testbed.RouterSpec``) into the emulator's terms.

The emulator's model never reads YAML: the testbed is loaded and validated by ``re_contract``,
and this module turns one validated record into the :class:`RouterEntry` the server serves.
What only the emulator can check (the platform name against its catalogue, an override that
makes no platform) is reported as a testbed error at the key the testbed wrote it under.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from emulator.limits import Limits
from emulator.model.config import ConfigError
from emulator.model.platforms import (
    PlatformSpecError,
    UnknownPlatformError,
    platform_names,
    resolve_platform,
)
from emulator.model.recorded import RecordedState
from emulator.model.router import RouterParams
from emulator.netconf import JUNOS_CAPABILITIES, offering_base_1_1
from emulator.server import RouterEntry
from emulator.ssh import User
from emulator.state import StateDir, StateError
from re_contract.errors import TestbedError
from re_contract.limits import LimitsSection
from re_contract.listeners import CONTROL, MASTER
from re_contract.problems import hint, quoted
from re_contract.records import Credentials, RouterSpec
from re_contract.schema_types import show
from re_contract.testbed import default_testbed_path, load_testbed

__all__ = ["entries_from_testbed", "router_entry", "router_params"]


def _slot_map(mapping: Mapping[str, str]) -> dict[int, str]:
    """Return a per-RE mapping keyed by slot number (``re1`` -> 1)."""
    return {int(name[2:]): value for name, value in mapping.items()}


def _check_platform(spec: RouterSpec) -> None:
    """Raise TestbedError (file, key path, expectation, value, line) for a platform the
    catalogue does not know or an override that makes no platform, before any listener opens."""
    override = spec.emulator.platform if spec.emulator is not None else None
    try:
        resolve_platform(spec.platform, override)
    except UnknownPlatformError as exc:
        keys = ("platform",) if exc.field is None else ("emulator", "platform", exc.field)
        names = platform_names()
        raise spec.problem(keys, f"a platform of the catalogue ({quoted(names)})",
                           show(exc.name) + hint(exc.name, names)) from exc
    except PlatformSpecError as exc:
        raise spec.problem(("emulator", "platform", exc.field), exc.expected,
                           show(exc.found)) from exc


def _user(credentials: Credentials, *, control: bool = False) -> User:
    """Return the emulator's user for ``credentials``.

    Raises TestbedError when there is no password (the emulator never serves a login without
    one; the loader refuses such a testbed, so only a hand-made record gets here).
    """
    password = credentials.password()
    if not password:
        raise TestbedError(f"{credentials.origin or credentials.router}: expected a password "
                           f"for user {credentials.username!r}, got none")
    return User(credentials.username, password, control=control)


def _limits(section: LimitsSection) -> Limits:
    """Return the emulator's limits with what the testbed sets (its defaults for the rest)."""
    return dataclasses.replace(Limits(), **section.given())  # type: ignore[arg-type]


def _recorded(spec: RouterSpec) -> RecordedState | None:
    """Return the recorded state ``emulator.state_dir`` holds for ``spec``, or None without one.

    Raises TestbedError (at that key) when the directory holds no state of this router, or one
    that cannot be read or built (a configuration the schema refuses).
    """
    emu = spec.emulator
    if emu is None or emu.state_dir is None:
        return None
    keys = ("emulator", "state_dir")
    state = StateDir(emu.state_dir)
    try:
        saved = state.load(spec.name)
    except StateError as exc:
        raise spec.problem(keys, "a readable state directory", str(exc)) from exc
    if saved is None:
        raise spec.problem(keys, f"a state directory holding router {spec.name!r}",
                           f"no {state.file(spec.name)}")
    recorded = RecordedState(
        clock=saved.clock, configs=dict(saved.configs),
        logs={slot: tuple(lines) for slot, lines in saved.logs.items()})
    for slot in sorted(recorded.configs):
        try:
            recorded.database(slot, recorded.clock)
        except ConfigError as exc:
            raise spec.problem(keys, f"a configuration of re{slot} the emulator loads",
                               f"{exc} ({state.file(spec.name)})") from exc
    return recorded


def router_params(spec: RouterSpec) -> RouterParams:
    """Return the parameters the model of ``spec`` is built from (no login is read).

    Raises TestbedError for a platform the catalogue lacks, a bad platform override, or a
    recorded state (``emulator.state_dir``) that cannot be read or built.
    """
    _check_platform(spec)
    emu = spec.emulator
    return RouterParams(
        name=spec.name,
        platform=spec.platform,
        hostname=(emu.hostname if emu and emu.hostname else None),
        versions=_slot_map(emu.versions if emu else {}),
        re_models=_slot_map(emu.re_models if emu else {}),
        serials=_slot_map(emu.serials if emu else {}),
        config=(emu.config if emu else ""),
        boot_time=(emu.boot_time if emu else None),
        platform_override=emu.platform if emu else None,
        recorded=_recorded(spec),
    )


def router_entry(spec: RouterSpec) -> RouterEntry:
    """Return the RouterEntry serving ``spec`` (its REs, master-only and control listeners).

    Raises TestbedError for a platform the catalogue lacks, a bad platform override, a recorded
    state that cannot be read or built, or a user without a password.
    """
    params = router_params(spec)
    emu = spec.emulator
    users = [_user(spec.credentials)]
    if spec.control is not None:
        users.append(_user(spec.control, control=True))
    listen = {name: (ep.host, ep.port) for name, ep in spec.endpoints.items()}
    if spec.master_only is not None:
        listen[MASTER] = (spec.master_only.host, spec.master_only.port)
    first = next(iter(spec.endpoints.values()))
    listen[CONTROL] = (first.host, 0)
    consoles = {name: (ep.host, ep.port) for name, ep in (spec.console or {}).items()}
    hello = offering_base_1_1() if emu is not None and emu.netconf_base_1_1 else JUNOS_CAPABILITIES
    limits = _limits(emu.limits) if emu is not None and emu.limits is not None else None
    return RouterEntry(params=params, users=users, listen=listen, consoles=consoles,
                       netconf_capabilities=hello, limits=limits)


def entries_from_testbed(path: str | None) -> list[RouterEntry]:
    """Return the entries of the emulated routers of a testbed file (the packaged default
    when ``path`` is None).

    Raises TestbedError for an invalid testbed or one the emulator cannot serve.
    """
    testbed = load_testbed(path or default_testbed_path())
    return [router_entry(spec) for spec in testbed.routers.values() if spec.emulated]
