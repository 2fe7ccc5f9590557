"""Testbed files: YAML that describes lab or emulated dual-RE routers, as frozen records.

A testbed is read once (bounded, :mod:`re_contract.yaml_source`) and validated once: the file
against its declared schema (:mod:`re_contract.schema`), then the merge of ``defaults`` under
every router and the checks that need both (a lab router has no control user, a fixed address is
used once, ...).  Each problem is one line naming the file, the key path, what was expected and
what was found, e.g. ``testbeds/lab.yaml: routers.r1.re0.port: expected an integer 0..65535,
got 'abc' (line 7)``; all problems are collected and raised together as one
:class:`~re_contract.errors.TestbedError`.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from re_contract.errors import TestbedError
from re_contract.listeners import RE_NAMES
from re_contract.merge import check_unique, merge_router
from re_contract.problems import (
    Location,
    Problems,
    error_locations,
    hint,
    render_path,
    schema_problems,
)
from re_contract.records import (
    Budgets,
    Credentials,
    EmulatorSettings,
    Endpoint,
    FaultAction,
    HostKeys,
    Origin,
    RouterSpec,
    Testbed,
    Timeouts,
)
from re_contract.schema import (
    PLACEHOLDERS,
    DefaultsSection,
    HostKeyPolicy,
    TestbedFile,
    TimeMode,
)
from re_contract.schema_types import show
from re_contract.yaml_source import YamlDocument, parse_yaml, read_bounded

__all__ = [
    "PLACEHOLDERS",
    "RE_NAMES",
    "Budgets",
    "Credentials",
    "EmulatorSettings",
    "Endpoint",
    "FaultAction",
    "HostKeyPolicy",
    "HostKeys",
    "RouterSpec",
    "Testbed",
    "TestbedError",
    "TimeMode",
    "Timeouts",
    "default_testbed_path",
    "load_testbed",
    "parse_testbed",
    "with_endpoints",
]

logger = logging.getLogger(__name__)

_PACKAGE = "testbeds"
_DEFAULT_FILE = "emulated.yaml"
#: How often a file with errors is re-validated without its bad values, to find what only the
#: merge can tell (a username missing from both the router and the defaults).
_PRUNE_PASSES = 8


# ---------------------------------------------------------------------------------------------
# Public functions


def load_testbed(path: str | os.PathLike[str]) -> Testbed:
    """Load, validate and return the testbed in ``path``.

    A bare file name that does not exist relative to the working directory is looked up among
    the packaged testbeds (``emulated-fleet.yaml``, or just ``emulated-fleet``).

    Raises:
        TestbedError: the file is missing, not a regular file, too large, unreadable, not valid
            YAML or beyond the YAML limits, or breaks the schema; one error lists every problem.
    """
    given = Path(path)
    resolved = _resolve_file(given)
    source = str(path) if resolved == given else str(resolved)
    try:
        text = read_bounded(resolved, source)
    except FileNotFoundError:
        raise TestbedError(_missing_file(resolved, source)) from None
    testbed = _parse(parse_yaml(text, source), source, resolved)
    logger.debug("loaded testbed %s with %d router(s)", source, len(testbed.routers))
    return testbed


def parse_testbed(data: object, source: str) -> Testbed:
    """Validate already-loaded YAML data and return the testbed; ``source`` labels messages.

    Raises:
        TestbedError: the data breaks the schema; one error lists every problem found.
    """
    return _parse(YamlDocument(data), source, None)


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
# Files


def _packaged(name: str) -> Path | None:
    """Return the path of the packaged testbed file ``name``, or None if there is none."""
    resource = resources.files(_PACKAGE).joinpath(name)
    return Path(str(resource)) if resource.is_file() else None


def _packaged_names() -> list[str]:
    """Return the file names of the packaged testbeds."""
    return sorted(r.name for r in resources.files(_PACKAGE).iterdir() if r.name.endswith(".yaml"))


def _resolve_file(given: Path) -> Path:
    """Return ``given`` if it exists, else the packaged file a bare name refers to, else
    ``given`` (whose reading then reports it missing)."""
    if given.exists() or len(given.parts) != 1:
        return given
    for name in (given.name, f"{given.name}.yaml"):
        found = _packaged(name)
        if found is not None:
            return found
    return given


def _missing_file(path: Path, source: str) -> str:
    """Return the message for a missing file; a bare name also lists the packaged testbeds."""
    if len(path.parts) != 1:
        return f"{source}: expected an existing testbed file, got no such file"
    names = _packaged_names()
    return (
        f"{source}: expected an existing file or a packaged testbed ({', '.join(names)}), "
        f"got no such file{hint(path.name, names)}"
    )


# ---------------------------------------------------------------------------------------------
# The schema, then the merge


class _Findings(Problems):
    """Problems, minus those the merge finds about values the schema already condemned."""

    __slots__ = ("condemned",)

    def __init__(self, source: str, lines: Mapping[str, int]) -> None:
        super().__init__(source, lines)
        self.condemned: list[str] = []

    def add(self, path: str, expected: str, got: str, line: int | None = None) -> None:
        """Record the problem unless ``path`` is (under) a value the schema condemned."""
        if not any(path == c or path.startswith((f"{c}.", f"{c}[")) for c in self.condemned):
            super().add(path, expected, got, line)


def _parse(document: YamlDocument, source: str, path: Path | None) -> Testbed:
    """Return the validated testbed, or raise one TestbedError listing every problem.

    Raises:
        TestbedError: with every problem found, duplicate keys first.
    """
    problems = _Findings(source, document.key_lines)
    for dup in document.duplicates:
        got = f"{show(dup.key)} again (first at line {dup.first_line})"
        problems.add(dup.path, "each key once per mapping", got, line=dup.line)
    file = _validate(document.data, problems)
    if file is None:
        raise TestbedError(list(problems.found))
    defaults = file.defaults or DefaultsSection()
    routers = {name: merge_router(name, section, defaults, problems)
               for name, section in file.routers.items()}
    check_unique(routers, problems)
    if problems.found:
        raise TestbedError(list(problems.found))
    origin = Origin(source, document.key_lines)
    fallback = path.stem if path is not None else source
    name = file.testbed.name if file.testbed is not None and file.testbed.name else fallback
    return Testbed(
        name=name, path=path, source=source, warnings=tuple(problems.warnings),
        routers={n: _anchored(dataclasses.replace(s, origin=origin), path)
                 for n, s in routers.items()},
    )


def _anchored(spec: RouterSpec, path: Path | None) -> RouterSpec:
    """Return ``spec`` with a relative ``emulator.state_dir`` resolved against the directory of
    the testbed file ``path`` (kept as written when the testbed came from no file)."""
    emu = spec.emulator
    if emu is None or emu.state_dir is None or emu.state_dir.is_absolute() or path is None:
        return spec
    state_dir = path.parent / emu.state_dir
    return dataclasses.replace(spec, emulator=dataclasses.replace(emu, state_dir=state_dir))


def _validate(data: object, problems: _Findings) -> TestbedFile | None:
    """Return the file as validated by the schema, its bad values left out (each reported);
    None when nothing is left to merge (the file is no mapping, or too broken)."""
    work = data
    for attempt in range(_PRUNE_PASSES):
        try:
            return TestbedFile.model_validate(work)
        except ValidationError as exc:
            if attempt == 0:
                for found in schema_problems(exc, TestbedFile):
                    problems.add(render_path(found.location, data), found.expected, found.got)
            locations = list(error_locations(exc))
        if attempt == 0:
            work = copy.deepcopy(data)
        if any(not loc for loc in locations):
            return None
        for loc in locations:
            problems.condemned.append(render_path(loc, data))
            _prune(work, loc)
    return None


def _prune(data: Any, location: Location) -> None:
    """Remove the value at ``location`` from ``data`` (in place; absent is fine)."""
    node = data
    for part in location[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(node, dict):
        node.pop(location[-1], None)
    elif isinstance(node, list) and isinstance(location[-1], int) and location[-1] < len(node):
        node[location[-1]] = None  # keeps the other indexes; the list is condemned anyway
