"""The ``re-emulator`` command: serve the emulated routers of a testbed until stopped.

``re-emulator serve [--testbed FILE] [--time real|virtual] [--state-dir DIR]`` prints one
``<router> <re> <host>:<port>`` line per listener (scripts parse them), then ``#`` lines for
humans.  The command sits above the server and the testbed bridge, so neither imports it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType

from emulator.server import EmulatorServer, TimeMode
from emulator.state import StateError
from emulator.testbed_bridge import entries_from_testbed
from re_contract.errors import TestbedError
from re_contract.listeners import CONTROL

__all__ = ["main"]


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
    serve.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    return parser.parse_args(argv)


def _banner(server: EmulatorServer) -> Iterator[str]:
    """Yield the banner: ``<router> <re> <host>:<port>`` lines first (scripts parse them),
    then ``#`` lines for humans: consoles, credentials, how to connect, time, state."""
    for ep in server.endpoints:
        yield ep.line()
    yield f"# time: {server.time_mode}"
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``re-emulator``; returns the process exit status."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not args.verbose:
        # paramiko logs every client that hangs up without closing as an ERROR.
        logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    try:
        entries = entries_from_testbed(args.testbed)
    except TestbedError as exc:
        sys.stderr.write(f"re-emulator: {exc}\n")
        return 2
    try:
        server = EmulatorServer(entries, time_mode=args.time, state_dir=args.state_dir)
    except StateError as exc:
        sys.stderr.write(f"re-emulator: {exc}\n")
        return 2
    try:
        server.start()
    except OSError as exc:
        sys.stderr.write(f"re-emulator: cannot listen: {exc}\n")
        return 1
    done = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for line in _banner(server):
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    done.wait()
    server.stop()
    return 0
