"""The platform catalogue: which routers the emulator can be, as immutable data.

The built-in platforms are :data:`emulator.model.platform_data.BUILTIN`, read-only; nothing
extends them at run time (a process-global catalogue would leak between the routers of a
fleet).  A testbed's ``emulator.platform`` override -- validated by the testbed schema,
:class:`re_contract.platform.PlatformOverride` -- gives its router a platform of its own:
:func:`resolve_platform` returns that router's immutable :class:`PlatformSpec`, checked for
what only the complete platform can tell (a single RE has no redundancy, ...).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from emulator.model.platform_data import BUILTIN
from emulator.model.platform_spec import (
    Companion,
    Era,
    ModuleSpec,
    PlatformError,
    PlatformSpec,
    PlatformSpecError,
    RedundancyKind,
    UnknownPlatformError,
)
from emulator.model.timing import INSTANT
from re_contract.platform import PlatformOverride

__all__ = [
    "Companion",
    "Era",
    "ModuleSpec",
    "PlatformError",
    "PlatformSpec",
    "PlatformSpecError",
    "RedundancyKind",
    "UnknownPlatformError",
    "get_platform",
    "junos_release",
    "platform_names",
    "resolve_platform",
    "software_packages",
]

_BY_NAME: Mapping[str, PlatformSpec] = MappingProxyType(
    {name.casefold(): spec for name, spec in BUILTIN.items()})
#: The fields a new platform (neither a catalogue name nor ``base:``) must give.
_REQUIRED = tuple(f.name for f in dataclasses.fields(PlatformSpec)
                  if f.default is dataclasses.MISSING and f.name != "name")


def _name_key(name: str) -> tuple[str, int, str]:
    """Sort M5 < M10 < M320 < MX240 < T320 (family, then number)."""
    match = re.match(r"([A-Za-z]*)(\d*)", name)
    letters, digits = match.groups() if match else ("", "")
    return letters.upper(), int(digits or 0), name


def platform_names() -> tuple[str, ...]:
    """Return the names of the built-in platforms, in their canonical spelling, sorted."""
    return tuple(sorted(BUILTIN, key=_name_key))


def get_platform(name: str, field: str | None = None) -> PlatformSpec:
    """Return the built-in platform ``name`` (any case).

    Raises UnknownPlatformError (``field`` tells which override key named it), whose message
    lists the known names.
    """
    spec = _BY_NAME.get(name.casefold())
    if spec is None:
        raise UnknownPlatformError(name, platform_names(), field)
    return spec


def resolve_platform(name: str, override: PlatformOverride | None = None) -> PlatformSpec:
    """Return the platform of a router whose testbed names ``name`` and ``override``.

    Without an override (or an empty one): the catalogue's entry.  With one: the catalogue's
    entry for ``name`` (or for ``override.base``), with the fields the override gives replaced;
    a name the catalogue lacks, without ``base``, is a new platform that must give every
    required field.

    Raises UnknownPlatformError (an unknown name or base) and PlatformSpecError (a required
    field missing, or an inconsistent platform), each naming the override key at fault.
    """
    if override is None or not override.model_fields_set:
        return get_platform(name)
    changes = _changes(override)
    if override.base is not None:
        start: PlatformSpec | None = get_platform(override.base, "base")
    else:
        start = _BY_NAME.get(name.casefold())
    if override.timing is not None:
        base_timing = start.timing if start is not None else INSTANT
        changes["timing"] = base_timing.updated(override.timing.given())
    if start is not None:
        spec = dataclasses.replace(start, name=start.name if override.base is None else name,
                                   **changes)
    else:
        missing = [f for f in _REQUIRED if f not in changes]
        if missing:
            raise PlatformSpecError(missing[0], "a value (required for a new platform)", None)
        spec = PlatformSpec(name=name, **changes)
    _check_consistency(spec)
    return spec


def _changes(override: PlatformOverride) -> dict[str, Any]:
    """Return the override's fields as PlatformSpec fields."""
    changes = override.given()
    changes.pop("timing", None)  # merged over the starting platform's profile by the caller
    if "modules" in changes:
        changes["modules"] = tuple(ModuleSpec.from_testbed(row) for row in changes["modules"])
    if "re_model_keepalives" in changes:
        changes["re_model_keepalives"] = tuple(changes["re_model_keepalives"].items())
    return changes


def _check_consistency(spec: PlatformSpec) -> None:
    """Raise PlatformSpecError unless ``spec`` is a platform the chapter allows."""
    # Chapter: one RE means no redundancy of any kind, and redundancy needs two RE slots.
    if spec.re_slots == 1 and spec.redundancy is not RedundancyKind.NONE:
        raise PlatformSpecError("redundancy", "none for a single-RE platform",
                                spec.redundancy.value)
    if spec.re_slots == 2 and spec.redundancy is RedundancyKind.NONE:
        raise PlatformSpecError("redundancy", "a redundancy kind for two RE slots", "none")
    if spec.re_slots == 2 and not spec.keepalive_interfaces:
        raise PlatformSpecError("keepalive_interfaces", "at least one interface", [])
    if spec.dram_usable_mb is not None and spec.dram_usable_mb > spec.dram_mb:
        raise PlatformSpecError("dram_usable_mb", f"at most dram_mb ({spec.dram_mb})",
                                spec.dram_usable_mb)


# --------------------------------------------------------------------------- software
_PACKAGES_15 = (  # names and comments of get-software-information (MX480 15.1F5 sample)
    ("os-kernel", "JUNOS OS Kernel 64-bit  [20160321.324471_builder_stable_10]"),
    ("os-libs", "JUNOS OS libs [20160321.324471_builder_stable_10]"),
    ("os-runtime", "JUNOS OS runtime [20160321.324471_builder_stable_10]"),
    ("junos-runtime", "JUNOS runtime [{version}]"),
    ("junos-platform", "JUNOS platform support [{version}]"),
    ("junos-daemons", "JUNOS daemons [{version}]"),
)
_PACKAGES_LEGACY = (  # pre-15.1 releases list jbase/jkernel/... with the release in brackets
    ("junos", "JUNOS Base OS boot [{version}]"),
    ("jbase", "JUNOS Base OS Software Suite [{version}]"),
    ("jkernel", "JUNOS Kernel Software Suite [{version}]"),
    ("jroute", "JUNOS Routing Software Suite [{version}]"),
)


def junos_release(version: str) -> tuple[int, int]:
    """Return (major, minor) of a Junos version string (``15.1F5.15`` -> (15, 1)); (0, 0) if
    the string does not start with ``N.N``."""
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def software_packages(version: str) -> tuple[tuple[str, str], ...]:
    """Return ``(name, comment)`` pairs of ``show version`` for Junos ``version``.

    15.1 and later list the FreeBSD-10 style packages (and a ``<junos-version>`` element);
    older releases list ``junos``/``jbase``/``jkernel``/``jroute`` with the release in brackets.
    """
    table = _PACKAGES_15 if junos_release(version) >= (15, 1) else _PACKAGES_LEGACY
    return tuple((name, comment.format(version=version)) for name, comment in table)
