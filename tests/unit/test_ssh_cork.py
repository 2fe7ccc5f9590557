"""The corked SSH connection: the packets one turn of the event loop writes (replies to
pipelined requests, a reply and its channel's window adjustment) leave in one socket write,
in order; closing sends what is held first, aborting drops it."""

from __future__ import annotations

import asyncio
from typing import Any

from emulator.ssh import _Cork


class _Socket(asyncio.Transport):
    """A transport that records its writes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = self.aborted = False
        self.limits: tuple[int | None, int | None] = (None, None)

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def get_write_buffer_size(self) -> int:
        return 7

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.limits = (high, low)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 830) if name == "sockname" else default


def test_writes_of_one_turn_leave_together_in_order_and_the_next_turn_apart() -> None:
    async def run() -> list[bytes]:
        sock = _Socket()
        cork = _Cork(sock)
        cork.write(b"ignore|")
        cork.write(bytearray(b"data|"))
        cork.write(memoryview(b"more"))
        assert sock.writes == [] and cork.get_write_buffer_size() == 7 + 16
        await asyncio.sleep(0)
        cork.write(b"next")
        await asyncio.sleep(0)
        return sock.writes

    assert asyncio.run(run()) == [b"ignore|data|more", b"next"]


def test_close_sends_what_is_held_first_and_abort_drops_it() -> None:
    async def run() -> tuple[_Socket, _Socket]:
        closing, aborting = _Socket(), _Socket()
        cork_a, cork_b = _Cork(closing), _Cork(aborting)
        cork_a.write(b"bye")
        cork_a.close()
        cork_b.write(b"lost")
        cork_b.abort()
        await asyncio.sleep(0)
        return closing, aborting

    closing, aborting = asyncio.run(run())
    assert closing.writes == [b"bye"] and closing.closed
    assert aborting.writes == [] and aborting.aborted


def test_nothing_is_written_to_a_socket_already_closing() -> None:
    async def run() -> _Socket:
        sock = _Socket()
        cork = _Cork(sock)
        cork.write(b"late")
        sock.aborted = True
        await asyncio.sleep(0)
        return sock

    assert asyncio.run(run()).writes == []


def test_the_rest_of_the_transport_is_the_sockets() -> None:
    sock = _Socket()
    cork = _Cork(sock)
    cork.set_write_buffer_limits(high=4096)
    assert sock.limits == (4096, None)
    assert cork.get_extra_info("sockname") == ("127.0.0.1", 830)
    assert cork.get_extra_info("peername", "none") == "none"
    assert not cork.is_closing()
