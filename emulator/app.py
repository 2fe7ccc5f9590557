"""The ``re-emulator`` command: serve the emulated routers of a testbed (or a shard of them)
until SIGTERM / Ctrl-C.

``re-emulator serve [--testbed FILE] [--time real|virtual] [--state-dir DIR] [--bind ADDR]
[--shard i/N | --workers N]`` prints one ``<router> <re> <host>:<port>`` line per listener
(scripts parse them), then ``#`` lines for humans.  The command sits above the server and the
testbed bridge, so neither imports it.

``re-emulator clone --testbed LAB --router NAME --out DIR [--report-dir DIR]`` reads a lab router
over NETCONF (read-only) and writes its clone: ``DIR/testbed.yaml`` and the state it starts from,
with ``DIR/clone-report.txt`` saying what could not be carried (docs/clone.md).
``re-emulator fleet --routers N --out FILE [--hosts H,...] [--base-port P] [--platforms P,... |
--dual-re]`` writes a testbed of N emulated routers covering every platform of the catalogue (or
the platforms named, or every dual-RE one).

``--shard i/N`` serves the i-th of N deterministic slices of the testbed's emulated routers
(contiguous, in file order, sizes differing by at most one), so one fleet testbed is served by
N processes: one per core on one machine, or spread over machines, each router's endpoints
naming the host that serves it.  ``--workers N`` starts the N shard processes itself and prints
their endpoints.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import FrameType

from emulator.clone import CloneError, clone_router
from emulator.fleet import FleetError, dual_re_platforms, fleet_yaml
from emulator.server import BindRefusedError, EmulatorServer, RouterEntry, TimeMode
from emulator.state import StateError
from emulator.testbed_bridge import entries_from_testbed
from re_contract.errors import TestbedError
from re_contract.listeners import CONTROL

__all__ = ["READY", "Shard", "main", "shard_slice"]

log = logging.getLogger(__name__)

_SHARD = re.compile(r"^(\d+)/(\d+)$")
#: Seconds the workers get to print their endpoints, and to exit after SIGTERM.
WORKER_START_TIMEOUT = 120.0
WORKER_STOP_TIMEOUT = 20.0
#: The banner's last line: everything listens.
READY = "# ready: SIGTERM or Ctrl-C stops"


@dataclass(frozen=True, slots=True)
class Shard:
    """Slice ``index`` of ``count`` (``0/1`` is the whole testbed)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Return the shard written ``i/N`` (0 <= i < N).  Raises argparse.ArgumentTypeError."""
        match = _SHARD.match(text.strip())
        if match is None:
            raise argparse.ArgumentTypeError(f"expected i/N (e.g. 0/2), got {text!r}")
        index, count = int(match[1]), int(match[2])
        if count < 1 or not 0 <= index < count:
            raise argparse.ArgumentTypeError(f"expected 0 <= i < N in i/N, got {text!r}")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_slice(entries: Sequence[RouterEntry], shard: Shard) -> list[RouterEntry]:
    """Return shard ``shard``'s routers: the contiguous slice ``[i*n//N, (i+1)*n//N)`` of
    ``entries`` (file order), so every router is in exactly one shard."""
    n = len(entries)
    return list(entries[shard.index * n // shard.count:(shard.index + 1) * n // shard.count])


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="re-emulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the routers of a testbed over SSH/NETCONF")
    serve.add_argument("--testbed", help="testbed YAML (default: the packaged emulated.yaml)")
    serve.add_argument("--time", choices=[TimeMode.REAL, TimeMode.VIRTUAL], default=TimeMode.REAL,
                       help="real: the router clock follows the wall clock (default); "
                            "virtual: it moves only by control RPC")
    serve.add_argument("--state-dir", metavar="DIR",
                       help="keep committed configurations and mastership logs in DIR across "
                            "restarts (saved on shutdown and every 30 s, loaded on start)")
    group = serve.add_mutually_exclusive_group()
    group.add_argument("--shard", type=Shard.parse, metavar="i/N",
                       help="serve only slice i of N of the testbed's routers (file order)")
    group.add_argument("--workers", type=int, metavar="N",
                       help="start N shard processes (one per core) and print their endpoints")
    serve.add_argument("--bind", action="append", default=[], metavar="ADDRESS",
                       help="allow the testbed's listeners on ADDRESS, not a loopback one "
                            "(e.g. 0.0.0.0: every interface); repeat for more")
    serve.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    _clone_parser(sub)
    _fleet_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "serve" and args.workers is not None and args.workers < 1:
        parser.error("--workers: expected a positive number")
    return args


def _clone_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    clone = sub.add_parser("clone", help="record a lab router (read-only) and write its clone")
    clone.add_argument("--testbed", required=True, help="the lab testbed naming the router")
    clone.add_argument("--router", required=True, help="the lab router to clone")
    clone.add_argument("--out", required=True, metavar="DIR",
                       help="write testbed.yaml, state/ and clone-report.txt here")
    clone.add_argument("--report-dir", metavar="DIR",
                       help="report directory (or report.json) of an earlier lab run: its "
                            "measured switchover, FPC recovery and boot times")
    clone.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")


def _fleet_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fleet = sub.add_parser("fleet", help="write a testbed of N emulated routers covering "
                                         "every platform of the catalogue")
    fleet.add_argument("--routers", type=int, required=True, metavar="N")
    fleet.add_argument("--out", required=True, metavar="FILE", help="the testbed file ('-': "
                                                                    "standard output)")
    fleet.add_argument("--hosts", default="127.0.0.1", metavar="H,...",
                       help="loopback hosts to spread the routers over, in contiguous blocks "
                            "(the slices of serve --shard i/N)")
    fleet.add_argument("--base-port", type=int, metavar="P",
                       help="fixed ports from P (router k, RE n: P + 2k + n); default 0 (free)")
    fleet.add_argument("--name", help="the testbed's name (default emulated-fleet-N)")
    choice = fleet.add_mutually_exclusive_group()
    choice.add_argument("--platforms", metavar="P,...",
                        help="the catalogue platforms the routers take in turn (default: all)")
    choice.add_argument("--dual-re", action="store_true",
                        help="every dual-RE platform of the catalogue in turn (2 REs a router)")
    fleet.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")


def _banner(server: EmulatorServer, shard: Shard | None) -> Iterator[str]:
    """Yield the banner: ``<router> <re> <host>:<port>`` lines first (scripts parse them),
    then ``#`` lines for humans: shard, consoles, credentials, how to connect, time, state."""
    for ep in server.endpoints:
        yield ep.line()
    yield f"# time: {server.time_mode}"
    if shard is not None:
        names = ", ".join(e.params.name for e in server.routers) or "(none)"
        yield f"# shard {shard}: {names}"
    if server.state is not None:
        yield f"# state directory: {server.state.path}"
    for ep in server.consoles:
        yield f"# {ep.router} console {ep.re} {ep.line().split()[-1]} (raw TCP: telnet or nc)"
    for entry in server.routers:
        for user in entry.users:
            role = "control" if user.control else "user"
            yield f"# {entry.params.name} {role} {user.name} / {user.password}"
    first = next((ep for ep in server.endpoints if ep.re != CONTROL), None)
    if first is not None:
        login = next((u for u in server.routers[0].users if not u.control), None)
        name = login.name if login else "user"
        yield f"# CLI:     ssh -p {first.port} {name}@{first.host}"
        yield f"# NETCONF: ssh -p {first.port} {name}@{first.host} -s netconf"
    yield READY


def _on_signal() -> threading.Event:
    """Return an event set by SIGTERM or SIGINT (Ctrl-C); install before printing the banner,
    so a signal sent as soon as it is read is not lost."""
    done = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return done


def _wait(done: threading.Event) -> None:
    """Block until ``done`` is set (a signal handler runs between the waits)."""
    while not done.wait(3600):
        continue


def _serve(args: argparse.Namespace) -> int:
    try:
        entries = entries_from_testbed(args.testbed)
    except TestbedError as exc:
        sys.stderr.write(f"re-emulator: {exc}\n")
        return 2
    if args.shard is not None:
        entries = shard_slice(entries, args.shard)
    try:
        server = EmulatorServer(entries, time_mode=args.time, state_dir=args.state_dir,
                                bind=args.bind)
    except (StateError, BindRefusedError) as exc:
        sys.stderr.write(f"re-emulator: {exc}\n")
        return 2
    try:
        server.start()
    except OSError as exc:
        sys.stderr.write(f"re-emulator: cannot listen: {exc}\n")
        return 1
    for ep in server.exposed():
        sys.stderr.write(f"re-emulator: WARNING: {ep.router} {ep.re} listens on {ep.host} "
                         f"(beyond loopback): anyone who reaches it may log in with the "
                         f"testbed's printed passwords\n")
    done = _on_signal()
    for line in _banner(server, args.shard):
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    _wait(done)
    server.stop()
    return 0


def _worker_command(args: argparse.Namespace, index: int) -> list[str]:
    cmd = [sys.executable, "-m", "emulator", "serve", "--time", args.time,
           "--shard", f"{index}/{args.workers}"]
    if args.testbed:
        cmd += ["--testbed", args.testbed]
    if args.state_dir:
        cmd += ["--state-dir", args.state_dir]
    for address in args.bind:
        cmd += ["--bind", address]
    if args.verbose:
        cmd.append("-v")
    return cmd


def _workers(args: argparse.Namespace) -> int:
    """Start ``--workers`` shard processes, print their banners, stop them on a signal."""
    done = _on_signal()
    procs = [subprocess.Popen(_worker_command(args, i), stdout=subprocess.PIPE, text=True)
             for i in range(args.workers)]
    status = 0
    try:
        for proc in procs:
            status = max(status, _relay_banner(proc))
        if status == 0:
            sys.stdout.write(READY + "\n")
            sys.stdout.flush()
            _wait(done)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                code = proc.wait(WORKER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait(WORKER_STOP_TIMEOUT)
            status = max(status, code if code > 0 else 0)
    return status


def _relay_banner(proc: subprocess.Popen[str]) -> int:
    """Copy one worker's banner to stdout; return 0, or its exit status if it died first."""
    assert proc.stdout is not None
    timer = threading.Timer(WORKER_START_TIMEOUT, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            if line.startswith(READY):
                break
            sys.stdout.write(line)
            sys.stdout.flush()
    finally:
        timer.cancel()
    code = proc.poll()
    return code if code else 0


def _clone(args: argparse.Namespace) -> int:
    """``re-emulator clone``: write the clone, print where and what was not carried."""
    try:
        result = clone_router(args.testbed, args.router, args.out, args.report_dir)
    except TestbedError as exc:
        sys.stderr.write(f"re-emulator: {exc}\n")
        return 2
    except CloneError as exc:
        sys.stderr.write(f"re-emulator clone: {exc}\n")
        return 1
    report = result.plan.report
    out = [f"clone of {result.plan.router} written to {result.directory}",
           f"  testbed: {result.testbed}", f"  report:  {result.report}",
           f"  checks:  {result.checks}",
           f"  carried: {len(report.carried)} facts; not carried: {len(report.not_carried)}"]
    out += [f"  not carried: {line}" for line in report.not_carried]
    out.append(f"# serve it: re-emulator serve --testbed {result.testbed}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _fleet(args: argparse.Namespace) -> int:
    """``re-emulator fleet``: write the fleet testbed."""
    hosts = [h.strip() for h in args.hosts.split(",") if h.strip()]
    platforms = (dual_re_platforms() if args.dual_re else
                 None if args.platforms is None else
                 [p.strip() for p in args.platforms.split(",") if p.strip()])
    try:
        text = fleet_yaml(args.routers, hosts=hosts, base_port=args.base_port, name=args.name,
                          platforms=platforms)
    except FleetError as exc:
        sys.stderr.write(f"re-emulator fleet: {exc}\n")
        return 2
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        sys.stderr.write(f"re-emulator fleet: cannot write {args.out}: {exc}\n")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``re-emulator``; returns the process exit status."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not args.verbose:
        # asyncssh logs every connection at INFO; a client hanging up is not a server problem.
        logging.getLogger("asyncssh").setLevel(logging.WARNING)
    if args.command == "clone":
        return _clone(args)
    if args.command == "fleet":
        return _fleet(args)
    if args.workers is not None:
        return _workers(args)
    return _serve(args)

