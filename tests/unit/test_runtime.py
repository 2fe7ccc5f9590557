"""The per-router runtime without sockets: real time arms one loop timer for the clock's next
deadline (none while idle: nothing polls), sessions are reaped only when an RE's state or boot
changed, control results drop sessions and truncate replies, a held router parks its faces."""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field

import emulator.model
from emulator.incidents import ErrorLog
from emulator.limits import DEFAULT_LIMITS
from emulator.model.chassis import Scope
from emulator.model.clock import VirtualClock
from emulator.model.router import RouterModel, RouterParams
from emulator.runtime import RouterRuntime
from re_contract.listeners import CONTROL, MASTER


@dataclass
class Handle:
    when: float
    callback: Callable[..., None]
    args: tuple[object, ...]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeLoop:
    """The loop methods the runtime uses, on a time the test moves."""

    now: float = 1000.0
    timers: list[Handle] = field(default_factory=list)
    soon: list[Callable[..., None]] = field(default_factory=list)

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[..., None], *args: object) -> Handle:
        handle = Handle(when, callback, args)
        self.timers.append(handle)
        return handle

    def call_soon(self, callback: Callable[..., None], *args: object) -> None:
        self.soon.append(lambda: callback(*args))

    def live(self) -> list[Handle]:
        return [h for h in self.timers if not h.cancelled]

    def run_soon(self) -> None:
        while self.soon:
            self.soon.pop(0)()

    def advance_to_next_timer(self) -> None:
        (handle,) = self.live()
        handle.cancelled = True
        self.now = handle.when
        handle.callback(*handle.args)
        self.run_soon()


@dataclass(eq=False)
class FakeFace:
    slot: int
    boot_stamp: float
    pinned: bool = False
    closed: bool = False
    ticks: int = 0

    def close(self) -> None:
        self.closed = True

    def disconnect(self) -> None:  # the RE went away: its connection with it
        self.closed = True

    def tick(self) -> None:
        self.ticks += 1


def runtime(real_time: bool) -> tuple[RouterRuntime, FakeLoop]:
    loop = FakeLoop()
    model = RouterModel(RouterParams(name="r1", boot_time=180.0), VirtualClock())
    rt = RouterRuntime(model, loop, real_time=real_time,  # type: ignore[arg-type]
                       errors=ErrorLog(), limits=DEFAULT_LIMITS)
    return rt, loop


def face(rt: RouterRuntime, slot: int, pinned: bool = False) -> FakeFace:
    f = FakeFace(slot, rt.boot_stamp(slot), pinned)
    rt.attach(f)
    return f


def test_an_idle_real_time_router_arms_no_timer() -> None:
    rt, loop = runtime(real_time=True)
    rt.run(lambda: None)
    assert loop.live() == []  # no per-router per-second tick


def test_real_time_arms_one_timer_at_the_next_deadline_and_fires_it_when_due() -> None:
    rt, loop = runtime(real_time=True)
    clock = rt.model.clock
    start, wall = clock.now(), loop.now
    rt.run(lambda: rt.model.chassis.reboot(1, Scope.LOCAL))  # back after boot_time + slot
    fired = 0
    while not rt.model.chassis.re(1).alive and fired < 20:
        (timer,) = loop.live()  # one timer at a time, for the clock's next deadline
        deadline = clock.next_deadline()
        assert deadline is not None and timer.when == wall + (deadline - start)
        loop.advance_to_next_timer()
        fired += 1
    # re0 logs the keepalive loss every 20 s while re1 boots: 9 log ticks, each with its send
    # failure 5 s later (8 of them before 181 s; the chapter's pattern), then the boot.
    assert fired == 18 and clock.now() == start + 181.0
    assert loop.live() == []  # both REs up again: nothing scheduled, nothing armed


def test_virtual_time_arms_nothing() -> None:
    rt, loop = runtime(real_time=False)
    rt.run(lambda: rt.model.chassis.reboot(1, Scope.LOCAL))
    assert loop.live() == []
    assert not rt.model.chassis.re(1).alive  # until a control RPC advances the clock


def test_sessions_are_reaped_only_when_their_re_goes_or_reboots() -> None:
    rt, loop = runtime(real_time=False)
    on0, on1, pinned = face(rt, 0), face(rt, 1), face(rt, 1, pinned=True)
    terminal = FakeFace(0, 0.0)
    rt.terminals.add(terminal)
    rt.run(lambda: rt.model.clock.now())  # nothing changed: nothing reaped, nobody ticked
    loop.run_soon()
    assert (on0.closed, on1.closed, terminal.ticks) == (False, False, 0)
    rt.run(lambda: rt.model.chassis.halt(1, Scope.LOCAL))
    assert not on1.closed  # the reply goes out first: reaping is on the next loop turn
    loop.run_soon()
    assert (on0.closed, on1.closed, pinned.closed, terminal.ticks) == (False, True, False, 1)


def test_control_results_drop_sessions_and_truncate_the_next_reply() -> None:
    from lxml import etree

    from emulator.commands.table import CommandContext

    rt, loop = runtime(real_time=False)
    user0, control = face(rt, 0), face(rt, 0, pinned=True)
    ctx = CommandContext(rt.model, 0, "ctl")
    ns = "urn:re-emulator:control:1"
    drop = etree.fromstring(f'<drop-sessions xmlns="{ns}"><re>re0</re></drop-sessions>')
    rt.dispatch(ctx, drop, control=True)
    loop.run_soon()
    assert (user0.closed, control.closed) == (True, False)
    cut = etree.fromstring(f'<truncate-next-reply xmlns="{ns}"><re>re1</re>'
                           "</truncate-next-reply>")
    rt.dispatch(ctx, cut, control=True)
    assert rt.take_truncate(1) and not rt.take_truncate(1) and not rt.take_truncate(0)


def test_listeners_resolve_to_the_re_that_answers() -> None:
    rt, _ = runtime(real_time=False)
    assert (rt.resolve_slot("re0"), rt.resolve_slot(MASTER), rt.resolve_slot(CONTROL)) == (0, 0, 0)
    rt.run(lambda: rt.model.chassis.halt(0, Scope.LOCAL))  # the master hands over, then halts
    assert (rt.resolve_slot("re0"), rt.resolve_slot("re1"), rt.resolve_slot(MASTER)) == (
        None, 1, None)  # re1 still resolving mastership: nobody behind the master address
    rt.run(lambda: rt.model.clock.advance(5))
    assert rt.resolve_slot(MASTER) == 1


def test_a_held_router_parks_its_faces_until_resumed() -> None:
    rt, loop = runtime(real_time=False)
    resumed: list[str] = []
    rt.pause()
    assert rt.paused
    rt.park(lambda: resumed.append("a"))
    rt.park(lambda: resumed.append("b"))
    loop.run_soon()
    assert resumed == []
    rt.resume()
    loop.run_soon()
    assert resumed == ["a", "b"] and not rt.paused


def test_the_model_creates_no_lock_and_imports_no_face() -> None:
    """DESIGN.md: emulator/model holds no locks and no wire or session state, imports no face."""
    root = pathlib.Path(emulator.model.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""])
                for name in names:
                    assert name.split(".")[0] not in {"threading", "asyncio", "asyncssh",
                                                      "paramiko", "socket"}, (path, name)
                    assert not name.startswith(("emulator.server", "emulator.runtime",
                                                "emulator.netconf", "emulator.ssh")), (path, name)
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"truncate_next", "session_epoch"}, path


#: Methods that change a container in place.
_MUTATORS = frozenset({"append", "appendleft", "extend", "insert", "update", "add", "pop",
                       "popitem", "clear", "setdefault", "remove", "discard"})
_CONTAINERS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def _module_names(tree: ast.Module) -> dict[str, ast.expr | None]:
    """Return the names a module assigns at its top level, with the value assigned."""
    names: dict[str, ast.expr | None] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names.update((t.id, node.value) for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node.value
    return names


def _changes_in_functions(tree: ast.Module, names: set[str]) -> list[tuple[int, str]]:
    """Return (line, name) of every place a function changes a module-level ``names`` value in
    place: a mutating method call, or an item assigned or deleted."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr in _MUTATORS and isinstance(inner.func.value, ast.Name)
                    and inner.func.value.id in names):
                found.append((inner.lineno, inner.func.value.id))
            targets = (inner.targets if isinstance(inner, ast.Assign | ast.Delete)
                       else [inner.target] if isinstance(inner, ast.AugAssign) else [])
            found += [(inner.lineno, t.value.id) for t in targets
                      if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)
                      and t.value.id in names]
    return found


def test_the_emulator_keeps_no_global_mutable_state() -> None:
    """Issue 10: no global mutable state in the emulator.  Every router's state lives in its
    model and its runtime: no ``global``/``nonlocal``, module-level containers are constants
    (UPPER_CASE) and no function changes one in place."""
    root = pathlib.Path(emulator.model.__file__).parent.parent
    problems = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        names = _module_names(tree)
        problems += [f"{path}:{n.lineno}: {type(n).__name__.lower()}" for n in ast.walk(tree)
                     if isinstance(n, ast.Global | ast.Nonlocal)]
        problems += [f"{path}: module-level container {name!r} is not a constant"
                     for name, value in names.items()
                     if isinstance(value, _CONTAINERS) and not name.isupper()
                     and name != "__all__"]
        problems += [f"{path}:{line}: changes module-level {name!r}"
                     for line, name in _changes_in_functions(tree, set(names))]
    assert problems == []


def test_the_global_state_check_finds_a_registry_filled_at_run_time() -> None:
    tree = ast.parse("REGISTRY = {}\ncache = []\n"
                     "def register(k, v):\n    REGISTRY[k] = v\n    cache.append(k)\n")
    names = _module_names(tree)
    assert _changes_in_functions(tree, set(names)) == [(4, "REGISTRY"), (5, "cache")]
    assert [n for n, v in names.items() if isinstance(v, _CONTAINERS) and not n.isupper()] \
        == ["cache"]
