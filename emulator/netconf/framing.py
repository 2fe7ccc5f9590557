"""RFC 6242 message framing, sans-IO: bytes in, whole messages out.

Two framings exist (RFC 6242 section 4): the NETCONF 1.0 end-of-message marker ``]]>]]>``
(``FramingMode.EOM``) and the NETCONF 1.1 chunked framing (``FramingMode.CHUNKED``), used once
both peers have advertised ``:base:1.1`` in their hellos (section 4.1).

``ReceiveBuffer`` is the receive side (the shape of h11's ``_receivebuffer.py``); ``encode`` is
the send side.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from emulator.netconf.errors import FramingError

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "END_OF_CHUNKS",
    "EOM_DELIMITER",
    "MAX_CHUNK_SIZE",
    "FramingMode",
    "ReceiveBuffer",
    "encode",
]

#: The NETCONF 1.0 end-of-message marker (RFC 6242 section 4.3).
EOM_DELIMITER = b"]]>]]>"
#: The end-of-chunks marker of a chunked message (RFC 6242 section 4.2).
END_OF_CHUNKS = b"\n##\n"
#: The largest chunk-size RFC 6242 section 4.2 allows.
MAX_CHUNK_SIZE = 4294967295
#: Default cap on one decoded message.
DEFAULT_MAX_MESSAGE_SIZE = 16 * 2**20

# chunk-size = 1*DIGIT1 0*DIGIT, at most 4294967295: ten digits at most (RFC 6242 section 4.2).
_MAX_CHUNK_DIGITS = len(str(MAX_CHUNK_SIZE))
_LF = ord("\n")
_HASH = ord("#")


class FramingMode(Enum):
    """How messages are delimited on the wire."""

    EOM = "1.0"
    CHUNKED = "1.1"


def encode(message: bytes, mode: FramingMode, *, chunk_size: int | None = None) -> bytes:
    """Return ``message`` framed for the wire in ``mode``.

    In CHUNKED mode the message is cut into chunks of at most ``chunk_size`` bytes (default: one
    chunk). Raises ``FramingError`` if a chunked message is empty (RFC 6242 section 4.2 needs at
    least one chunk of at least one byte), and ``ValueError`` for a ``chunk_size`` outside
    1..4294967295.
    """
    if mode is FramingMode.EOM:
        return message + EOM_DELIMITER
    if not message:
        raise FramingError("a chunked message needs at least one byte")
    size = chunk_size if chunk_size is not None else min(len(message), MAX_CHUNK_SIZE)
    if not 1 <= size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be in 1..{MAX_CHUNK_SIZE}, got {size}")
    parts = [_chunk(message[i : i + size]) for i in range(0, len(message), size)]
    return b"".join(parts) + END_OF_CHUNKS


def _chunk(data: bytes) -> bytes:
    """Return one ``LF HASH chunk-size LF chunk-data`` chunk."""
    return b"\n#%d\n" % len(data) + data


@dataclass(frozen=True, slots=True)
class _ChunkHeader:
    """A decoded chunk header: ``size`` is None for end-of-chunks; ``length`` bytes were read."""

    size: int | None
    length: int


def _parse_chunk_header(buf: bytearray) -> _ChunkHeader | None:
    """Decode the chunk header at the start of ``buf``.

    Returns None while more bytes are needed. Raises ``FramingError`` at the first byte that
    cannot begin or continue ``LF HASH (chunk-size | HASH) LF`` (RFC 6242 section 4.2).
    """
    for index, expected in enumerate((_LF, _HASH)):
        if len(buf) <= index:
            return None
        if buf[index] != expected:
            raise FramingError(f"bad chunk header {bytes(buf[:8])!r}: expected LF '#'")
    if len(buf) < 3:
        return None
    if buf[2] == _HASH:
        return _parse_end_of_chunks(buf)
    return _parse_chunk_size(buf)


def _parse_end_of_chunks(buf: bytearray) -> _ChunkHeader | None:
    """Decode ``LF HASH HASH LF`` at the start of ``buf``; None if incomplete."""
    if len(buf) < 4:
        return None
    if buf[3] != _LF:
        raise FramingError(f"bad end-of-chunks {bytes(buf[:4])!r}")
    return _ChunkHeader(size=None, length=4)


def _parse_chunk_size(buf: bytearray) -> _ChunkHeader | None:
    """Decode ``LF HASH chunk-size LF`` at the start of ``buf``; None if incomplete."""
    # The first digit is DIGIT1: a leading zero (and so a size of 0) is not allowed.
    if not 0x31 <= buf[2] <= 0x39:
        raise FramingError(f"bad chunk-size start {bytes(buf[:3])!r}")
    end = 3
    while end < len(buf) and 0x30 <= buf[end] <= 0x39:
        end += 1
    digits = end - 2
    if digits > _MAX_CHUNK_DIGITS:
        raise FramingError(f"chunk-size longer than {_MAX_CHUNK_DIGITS} digits")
    if end == len(buf):
        return None
    if buf[end] != _LF:
        raise FramingError(f"chunk-size not followed by LF: {bytes(buf[: end + 1])!r}")
    size = int(buf[2:end])
    if size > MAX_CHUNK_SIZE:
        raise FramingError(f"chunk-size {size} exceeds {MAX_CHUNK_SIZE}")
    return _ChunkHeader(size=size, length=end + 1)


class ReceiveBuffer:
    """Accumulates received bytes and yields whole messages in the current framing mode.

    The mode may be changed between messages (RFC 6242 section 4.1 switches after the hellos);
    bytes already buffered but not yet decoded are then read in the new mode.
    """

    def __init__(
        self,
        mode: FramingMode = FramingMode.EOM,
        *,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        """Create an empty buffer; raises ``ValueError`` if ``max_message_size`` < 1."""
        if max_message_size < 1:
            raise ValueError(f"max_message_size must be positive, got {max_message_size}")
        self._mode = mode
        self._max = max_message_size
        self._data = bytearray()
        # Where to resume looking for ]]>]]>, so byte-by-byte feeds stay linear.
        self._search_from = 0
        # The chunked message being assembled.
        self._chunks: list[bytes] = []
        self._chunks_size = 0
        self._chunk_remaining = 0

    @property
    def mode(self) -> FramingMode:
        """Return the framing used to decode the next message."""
        return self._mode

    @mode.setter
    def mode(self, mode: FramingMode) -> None:
        """Switch framing; raises ``FramingError`` inside a partly received chunked message."""
        if self._in_chunked_message():
            raise FramingError("cannot switch framing inside a chunked message")
        self._mode = mode
        self._search_from = 0

    @property
    def max_message_size(self) -> int:
        """Return the cap, in bytes, on one decoded message."""
        return self._max

    @property
    def pending(self) -> bool:
        """Return True if bytes of an incomplete message are held."""
        return bool(self._data) or self._in_chunked_message()

    def __len__(self) -> int:
        """Return the number of received bytes not yet returned as (part of) a message."""
        return len(self._data)

    @property
    def buffered(self) -> int:
        """Return every byte held: undecoded input plus the chunks of a partial message (what
        a global cap on buffered input counts)."""
        return len(self._data) + self._chunks_size

    def feed(self, data: bytes) -> None:
        """Append received bytes; decoding happens in ``next_message``."""
        self._data += data

    def next_message(self) -> bytes | None:
        """Return the next whole message (without framing), or None if it is incomplete.

        Raises ``FramingError`` on a framing violation or a message over the size cap; the
        buffer is then in an undefined state and the session must be closed.
        """
        if self._mode is FramingMode.EOM:
            return self._next_eom()
        return self._next_chunked()

    def _in_chunked_message(self) -> bool:
        """Return True between the first chunk header and end-of-chunks of a message."""
        return bool(self._chunks) or self._chunk_remaining > 0

    def _next_eom(self) -> bytes | None:
        """Return the bytes before the next ``]]>]]>``, or None if it has not arrived."""
        index = self._data.find(EOM_DELIMITER, self._search_from)
        if index < 0:
            # The last len-1 bytes may be the start of a split delimiter.
            self._search_from = max(0, len(self._data) - len(EOM_DELIMITER) + 1)
            self._check_size(self._search_from)
            return None
        self._check_size(index)
        message = bytes(self._data[:index])
        self._consume(index + len(EOM_DELIMITER))
        self._search_from = 0
        return message

    def _next_chunked(self) -> bytes | None:
        """Return the next chunked message once its end-of-chunks has arrived, else None."""
        while True:
            if self._chunk_remaining:
                self._take_chunk_data()
                if self._chunk_remaining:
                    return None
            header = _parse_chunk_header(self._data)
            if header is None:
                return None
            self._consume(header.length)
            if header.size is None:
                return self._finish_chunked()
            self._check_size(self._chunks_size + header.size)
            self._chunk_remaining = header.size

    def _take_chunk_data(self) -> None:
        """Move the available bytes of the current chunk's data into the message."""
        piece = bytes(self._data[: self._chunk_remaining])
        self._consume(len(piece))
        self._chunks.append(piece)
        self._chunks_size += len(piece)
        self._chunk_remaining -= len(piece)

    def _consume(self, count: int) -> None:
        """Drop ``count`` decoded bytes; an emptied buffer is replaced, so the memory of a large
        message is returned rather than kept as the bytearray's capacity."""
        if count >= len(self._data):
            self._data = bytearray()
        else:
            del self._data[:count]

    def _finish_chunked(self) -> bytes:
        """Return the assembled message; raises ``FramingError`` if it had no chunk."""
        if not self._chunks:
            # Chunked-Message = 1*chunk end-of-chunks (RFC 6242 section 4.2).
            raise FramingError("end-of-chunks without any chunk")
        message = b"".join(self._chunks)
        self._chunks = []
        self._chunks_size = 0
        return message

    def _check_size(self, size: int) -> None:
        """Raise ``FramingError`` if a message of ``size`` bytes would exceed the cap."""
        if size > self._max:
            raise FramingError(
                f"message exceeds the maximum size of {self._max} bytes (at least {size})"
            )
