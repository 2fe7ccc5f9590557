"""One SSH policy factory serves every listener of a process: a connection finds its listener
(what it may do, the name its errors carry) by the local address it was accepted on."""

from __future__ import annotations

from typing import Any

from emulator.incidents import ErrorLog
from emulator.limits import DEFAULT_LIMITS
from emulator.ssh import ConnectionPolicy, Listener, Offer


class _Conn:
    """What the policy reads of an accepted asyncssh connection."""

    def __init__(self, sockname: tuple[str, int] | None) -> None:
        self.sockname = sockname
        self.aborted = False

    def get_extra_info(self, name: str) -> Any:
        return self.sockname if name == "sockname" else None

    def abort(self) -> None:
        self.aborted = True


def _offer() -> Offer:
    return Offer({}, lambda link: None, None, DEFAULT_LIMITS, lambda: None)  # type: ignore[arg-type,return-value]


def _policy(listeners: dict[tuple[str, int], Listener], errors: ErrorLog | None = None,
            open_connections: set[Any] | None = None) -> ConnectionPolicy:
    return ConnectionPolicy(listeners, errors or ErrorLog(), open_connections if
                            open_connections is not None else set())


def test_a_connection_takes_the_offer_of_the_address_it_was_accepted_on() -> None:
    asked: list[str] = []
    listeners = {
        ("127.0.0.1", 4001): Listener(lambda: asked.append("re0") or _offer(), "r1 re0"),
        ("127.0.0.1", 4002): Listener(lambda: asked.append("re1") or _offer(), "r1 re1"),
    }
    held: set[Any] = set()
    conn = _Conn(("127.0.0.1", 4002))
    policy = _policy(listeners, open_connections=held)
    policy.connection_made(conn)  # type: ignore[arg-type]
    assert asked == ["re1"] and not conn.aborted and held == {conn}
    assert policy.password_auth_supported()


def test_an_address_no_listener_owns_is_dropped_at_once() -> None:
    listeners = {("127.0.0.1", 4001): Listener(_offer, "r1 re0")}
    for sockname in [("127.0.0.1", 4999), ("127.0.0.2", 4001), None]:
        conn, held = _Conn(sockname), set()
        policy = _policy(listeners, open_connections=held)
        policy.connection_made(conn)  # type: ignore[arg-type]
        assert conn.aborted and not held and not policy.password_auth_supported()


def test_an_offer_that_raises_is_recorded_under_its_listeners_name() -> None:
    def broken() -> Offer:
        raise ValueError("no model")

    errors = ErrorLog()
    conn = _Conn(("::1", 830))
    _policy({("::1", 830): Listener(broken, "r9 master")}, errors).connection_made(
        conn)  # type: ignore[arg-type]
    assert conn.aborted
    (error,) = errors.take()
    assert error.where == "r9 master: accept" and isinstance(error.exception, ValueError)
