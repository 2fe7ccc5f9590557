#!/usr/bin/env python3
"""Mutation score of some modules against the unit tests (mutmut 3; slow, not run in CI).

Usage, from the checkout, after ``.venv/bin/pip install -e '.[test,mutation]'``::

    .venv/bin/python tools/mutation.py emulator/model/chassis.py emulator/model/chassis_core.py \
        emulator/model/election.py emulator/model/keepalive.py harness/mastership/ \
        re_contract/events.py

Each argument is a module file or a package directory under ``[tool.mutmut] source_paths``; a
directory counts as one module made of its ``.py`` files, so the figure survives a module being
split into a package.  The run happens in a fresh scratch copy, ``build/mutation/`` (mutmut
writes its ``mutants/`` tree into its working directory), with the project's ``[tool.mutmut]``
configuration plus ``only_mutate`` set to the arguments.  Each mutant runs the unit tests that
reached its function (``[tool.mutmut] pytest_add_cli_args_test_selection``).

Printed per module: killed, survived, no tests, timeout (a hang or a CPU-limit kill: the tests
did not pass, so it counts as detected), other, total, the survivors judged equivalent in
``tools/mutation-equivalents.md``, and the score ``(killed + timeout) / (total - equivalent)``.
An entry of that file counts only while it names a surviving mutant whose diff still adds the
line the entry quotes (mutant names are numbered per function and shift when a function
changes); any other entry is listed as stale.  Exit status 1 when mutmut fails or a module
scores below ``--fail-under``.

To look at a mutant afterwards: ``cd build/mutation && ../../.venv/bin/mutmut show NAME``, or
pass ``--diffs FILE`` to get the diffs of every mutant left to judge.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
STAGE = REPO / "build" / "mutation"
EQUIVALENTS = REPO / "tools" / "mutation-equivalents.md"
#: Copied to the scratch copy besides ``[tool.mutmut]`` source_paths and also_copy.
COPIED = ("tests", "pyproject.toml")
#: mutmut's exit codes (mutmut/stats.py), grouped as this report counts them.
KILLED = {1, 3}
SURVIVED = {0}
NO_TESTS = {5, 33}
TIMEOUT = {-24, 24, 152, 255, 36}
DETECTED = KILLED | TIMEOUT
#: An entry of the equivalents file: the mutant's name, then the line its diff adds.
ENTRY = re.compile(r"^- `(?P<name>[^`\s]+__mutmut_\d+)`\s*\n\s+adds: `(?P<line>.*)`\s*$",
                   re.MULTILINE)
#: Run in STAGE by mutmut's own interpreter: name -> diff, for ``path name`` lines on stdin.
_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
pairs = [line.split() for line in sys.stdin if line.strip()]
json.dump({name: get_diff_for_mutant(name, path=path) for path, name in pairs}, sys.stdout)
"""


@dataclass
class Module:
    """One module (argument) and the outcome of its mutants."""

    arg: str
    prefix: str
    files: list[Path]
    codes: dict[str, int | None] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    equivalent: set[str] = field(default_factory=set)
    stale: dict[str, str] = field(default_factory=dict)

    def count(self, group: set[int]) -> int:
        return sum(1 for code in self.codes.values() if code in group)

    @property
    def other(self) -> int:
        return sum(1 for c in self.codes.values() if c not in DETECTED | SURVIVED | NO_TESTS)

    @property
    def unjudged(self) -> list[str]:
        return sorted(n for n, c in self.codes.items()
                      if c not in DETECTED and n not in self.equivalent)

    @property
    def score(self) -> float | None:
        """Return the percentage detected of the mutants not judged equivalent (None: none)."""
        judged = len(self.codes) - len(self.equivalent)
        return 100.0 * self.count(DETECTED) / judged if judged else None


def module_prefix(path: Path) -> str:
    """Return the dotted prefix of the mutants of ``path`` (``emulator.model.chassis``)."""
    return ".".join(path.with_suffix("").parts if path.suffix == ".py" else path.parts)


def module_files(arg: str) -> list[Path]:
    """Return the ``.py`` files (relative to the checkout) that make up module ``arg``.

    Raises SystemExit when ``arg`` is neither a module file nor a package directory.
    """
    path = (REPO / arg).resolve()
    sources = [(REPO / p).resolve() for p in mutmut_config().get("source_paths", [])]
    if not any(path.is_relative_to(source) for source in sources):
        raise SystemExit(f"{arg}: not under a [tool.mutmut] source path of pyproject.toml")
    if path.is_file() and path.suffix == ".py":
        return [path.relative_to(REPO)]
    files = sorted(p.relative_to(REPO) for p in path.rglob("*.py")) if path.is_dir() else []
    if not files:
        raise SystemExit(f"{arg}: not a Python module file nor a package directory")
    return files


def mutmut_config() -> dict[str, Any]:
    """Return the ``[tool.mutmut]`` table of pyproject.toml.

    Raises SystemExit when there is none.
    """
    config = tomllib.loads((REPO / "pyproject.toml").read_text()).get("tool", {}).get("mutmut")
    if not isinstance(config, dict):
        raise SystemExit("pyproject.toml has no [tool.mutmut] table")
    return config


def stage(only: list[Path]) -> None:
    """Lay a fresh scratch copy of the checkout in STAGE, mutating only ``only``: the source
    paths and the files to copy of ``[tool.mutmut]``, the tests and pyproject.toml."""
    config = mutmut_config()
    if STAGE.exists():
        shutil.rmtree(STAGE)
    STAGE.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in [*config.get("source_paths", []), *config.get("also_copy", []), *COPIED]:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, STAGE / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, STAGE / name)
    pyproject = (STAGE / "pyproject.toml").read_text()
    if "\n[tool.mutmut]\n" not in pyproject:
        raise SystemExit("pyproject.toml: write the [tool.mutmut] header alone on its line")
    only_mutate = json.dumps([str(p) for p in only])
    (STAGE / "pyproject.toml").write_text(
        pyproject.replace("\n[tool.mutmut]\n", f"\n[tool.mutmut]\nonly_mutate = {only_mutate}\n"))


def run_mutmut(prefixes: list[str], max_children: int) -> int:
    """Run ``mutmut run`` on the mutants of ``prefixes`` in STAGE; return its exit status."""
    env = dict(os.environ)
    # The unit tests read the golden samples from ../shared beside the checkout, not the copy.
    env.setdefault("RE_SHARED_DIR", str(REPO.parent / "shared"))
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut), "run", "--max-children", str(max_children),
               *(f"{prefix}.*" for prefix in prefixes)]
    print("tools/mutation.py:", " ".join(command), f"(in {STAGE.relative_to(REPO)})", flush=True)
    log = STAGE / "mutmut.log"
    with log.open("w") as out:
        status = subprocess.run(command, cwd=STAGE, env=env, stdout=out,
                                stderr=subprocess.STDOUT, check=False).returncode
    if status != 0:
        print(log.read_text()[-4000:], file=sys.stderr)
    return status


def read_codes(module: Module) -> None:
    """Fill ``module.codes`` and ``module.paths`` from mutmut's results in STAGE."""
    for rel in module.files:
        meta = STAGE / "mutants" / f"{rel}.meta"
        if meta.is_file():
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            module.codes.update(codes)
            module.paths.update(dict.fromkeys(codes, rel))


def diffs(wanted: dict[str, Path]) -> dict[str, str]:
    """Return the diff of each mutant of ``wanted`` (name -> its file)."""
    if not wanted:
        return {}
    mutmut_python = Path(sys.executable)
    lines = "".join(f"{path} {name}\n" for name, path in wanted.items())
    done = subprocess.run([str(mutmut_python), "-c", _DIFFS], cwd=STAGE, input=lines, text=True,
                          capture_output=True, check=True)
    result: dict[str, str] = json.loads(done.stdout)
    return result


def judge(modules: list[Module]) -> None:
    """Mark the survivors the equivalents file judges, and its stale entries."""
    listed = ({m["name"]: m["line"].strip() for m in ENTRY.finditer(EQUIVALENTS.read_text())}
              if EQUIVALENTS.is_file() else {})
    for module in modules:
        mine = {n: line for n, line in listed.items() if n.startswith(module.prefix + ".")}
        alive = {n: module.paths[n] for n in mine if module.codes.get(n) in SURVIVED}
        found = diffs(alive)
        for name, line in mine.items():
            added = [d[1:].strip() for d in found.get(name, "").splitlines()
                     if d.startswith("+") and not d.startswith("+++")]
            if name not in module.codes:
                module.stale[name] = "no such mutant"
            elif name not in alive:
                module.stale[name] = "detected now"
            elif line not in added:
                module.stale[name] = f"its diff adds {added} now"
            else:
                module.equivalent.add(name)


def report(modules: list[Module]) -> None:
    """Print one line per module, then the mutants left to judge and the stale entries."""
    print(f"{'module':<28} {'killed':>6} {'surv':>5} {'notest':>6} {'tmout':>5} {'other':>5} "
          f"{'total':>5} {'equiv':>5} {'score':>7}")
    for m in modules:
        print(f"{m.prefix:<28} {m.count(KILLED):>6} {m.count(SURVIVED):>5} "
              f"{m.count(NO_TESTS):>6} {m.count(TIMEOUT):>5} {m.other:>5} {len(m.codes):>5} "
              f"{len(m.equivalent):>5} " + ("    n/a" if m.score is None else f"{m.score:>6.1f}%"))
    print("score = (killed + timeout) / (total - equivalent)")
    for m in modules:
        if not m.codes:
            print(f"\n{m.prefix}: no mutants (not mutated, or no function of it is mutable)")
    for m in modules:
        if m.unjudged:
            print(f"\n{m.prefix}: {len(m.unjudged)} not detected and not judged equivalent:")
            print("".join(f"  {n} (exit {m.codes[n]})\n" for n in m.unjudged), end="")
        if m.stale:
            print(f"\n{m.prefix}: stale entries of {EQUIVALENTS.relative_to(REPO)}:")
            print("".join(f"  {n}: {why}\n" for n, why in sorted(m.stale.items())), end="")


def write_diffs(modules: list[Module], out: Path) -> None:
    """Write the diffs of the mutants left to judge to ``out``."""
    wanted = {n: m.paths[n] for m in modules for n in m.unjudged}
    found = diffs(wanted)
    out.write_text("".join(f"# {name} (exit {m.codes[name]})\n{found[name]}\n\n"
                           for m in modules for name in m.unjudged))
    print(f"\ndiffs of {len(wanted)} mutants left to judge: {out}")


def main(argv: list[str] | None = None) -> int:
    """Run the measure; return the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("modules", nargs="+", help="module files or package directories")
    parser.add_argument("--max-children", type=int, default=1,
                        help="parallel mutmut workers (default 1: the cores are shared)")
    parser.add_argument("--fail-under", type=float, default=0.0, metavar="PERCENT",
                        help="exit 1 when a module scores below PERCENT")
    parser.add_argument("--diffs", type=Path, metavar="FILE",
                        help="write the diffs of the mutants left to judge to FILE")
    parser.add_argument("--report-only", action="store_true",
                        help="do not run: report the last run in build/mutation again (after "
                             "editing the equivalents file)")
    args = parser.parse_args(argv)
    modules = [Module(arg.rstrip("/"), module_prefix(Path(arg.rstrip("/"))), module_files(arg))
               for arg in args.modules]
    status = 0
    if not args.report_only:
        stage([f for m in modules for f in m.files])
        status = run_mutmut([m.prefix for m in modules], args.max_children)
    for m in modules:
        read_codes(m)
    judge(modules)
    report(modules)
    if args.diffs is not None:
        write_diffs(modules, args.diffs.resolve())
    if status != 0:
        print(f"mutmut exited {status} (log: {STAGE / 'mutmut.log'})", file=sys.stderr)
        return 1
    return 1 if any(m.score is None or m.score < args.fail_under for m in modules) else 0


if __name__ == "__main__":
    sys.exit(main())
