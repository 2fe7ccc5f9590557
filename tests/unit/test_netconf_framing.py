"""RFC 6242 framing: ``encode`` and ``ReceiveBuffer`` in both modes."""

from __future__ import annotations

import pytest

from emulator.netconf.errors import FramingError
from emulator.netconf.framing import (
    MAX_CHUNK_SIZE,
    FramingMode,
    ReceiveBuffer,
    encode,
)

MESSAGES = [
    b"<rpc message-id='1'><get/></rpc>",
    b"x",
    "<a>caf\u00e9 ]]> ## #12</a>".encode(),
    b"\n#3\nnot a header inside data\n##\n",
]


def _drain(buf: ReceiveBuffer) -> list[bytes]:
    """Return every whole message currently decodable from ``buf``."""
    out = []
    while (message := buf.next_message()) is not None:
        out.append(message)
    return out


@pytest.mark.parametrize("mode", list(FramingMode))
def test_round_trip_in_one_feed(mode: FramingMode) -> None:
    messages = [m for m in MESSAGES if mode is FramingMode.CHUNKED or b"]]>]]>" not in m]
    buf = ReceiveBuffer(mode)
    buf.feed(b"".join(encode(m, mode) for m in messages))
    assert _drain(buf) == messages
    assert not buf.pending


@pytest.mark.parametrize("mode", list(FramingMode))
def test_round_trip_byte_by_byte(mode: FramingMode) -> None:
    wire = b"".join(encode(m, mode, chunk_size=4) for m in MESSAGES[:3])
    buf = ReceiveBuffer(mode)
    got = []
    for index in range(len(wire)):
        buf.feed(wire[index : index + 1])
        got.extend(_drain(buf))
    assert got == MESSAGES[:3]
    assert not buf.pending


def test_eom_delimiter_split_across_feeds() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"<hello/>]]>]")
    assert buf.next_message() is None
    buf.feed(b"]>")
    assert buf.next_message() == b"<hello/>"


def test_encode_eom_appends_marker() -> None:
    assert encode(b"<a/>", FramingMode.EOM) == b"<a/>]]>]]>"


def test_encode_chunked_single_and_split_chunks() -> None:
    assert encode(b"<a/>", FramingMode.CHUNKED) == b"\n#4\n<a/>\n##\n"
    assert encode(b"abcde", FramingMode.CHUNKED, chunk_size=2) == (
        b"\n#2\nab\n#2\ncd\n#1\ne\n##\n"
    )


def test_encode_chunked_rejects_empty_message_and_bad_chunk_size() -> None:
    with pytest.raises(FramingError):
        encode(b"", FramingMode.CHUNKED)
    with pytest.raises(ValueError):
        encode(b"abc", FramingMode.CHUNKED, chunk_size=0)


def test_decode_rfc6242_example_with_two_chunks() -> None:
    # RFC 6242 section 4.2 example, chunks of 4 and 18 bytes.
    buf = ReceiveBuffer(FramingMode.CHUNKED)
    buf.feed(b"\n#4\n<rpc\n#18\n message-id=\"102\"\n\n##\n")
    assert buf.next_message() == b'<rpc message-id="102"\n'


@pytest.mark.parametrize(
    "wire",
    [
        pytest.param(b"#4\n<a/>\n##\n", id="no-leading-LF"),
        pytest.param(b"\n4\n<a/>\n##\n", id="no-hash"),
        pytest.param(b"\n#0\n\n##\n", id="zero-size"),
        pytest.param(b"\n#04\n<a/>\n##\n", id="leading-zero"),
        pytest.param(b"\n#x\n", id="not-a-digit"),
        pytest.param(b"\n#4 \n<a/>\n##\n", id="space-after-size"),
        pytest.param(b"\n#4\r\n<a/>\n##\n", id="CRLF-after-size"),
        pytest.param(b"\n#12345678901\n", id="eleven-digits"),
        pytest.param(b"\n#4294967296\n", id="above-max"),
        pytest.param(b"\n##\n", id="end-without-chunk"),
        pytest.param(b"\n##x", id="bad-end-of-chunks"),
        pytest.param(b"\n#4\n<a/>X\n##\n", id="data-longer-than-size"),
        pytest.param(b"\n#4\n<a/>\n##\nX", id="garbage-between-messages"),
    ],
)
def test_bad_chunked_framing_raises(wire: bytes) -> None:
    buf = ReceiveBuffer(FramingMode.CHUNKED)
    buf.feed(wire)
    with pytest.raises(FramingError):
        _drain(buf)


def test_bad_chunk_header_detected_before_it_is_complete() -> None:
    buf = ReceiveBuffer(FramingMode.CHUNKED)
    buf.feed(b"\n#0")
    with pytest.raises(FramingError):
        buf.next_message()


def test_largest_chunk_size_is_accepted() -> None:
    buf = ReceiveBuffer(FramingMode.CHUNKED, max_message_size=MAX_CHUNK_SIZE)
    buf.feed(b"\n#4294967295\nsome data")
    assert buf.next_message() is None
    assert buf.pending


@pytest.mark.parametrize("mode", list(FramingMode))
def test_message_at_max_size_passes_and_one_more_byte_fails(mode: FramingMode) -> None:
    ok = ReceiveBuffer(mode, max_message_size=10)
    ok.feed(encode(b"0123456789", mode))
    assert ok.next_message() == b"0123456789"
    too_big = ReceiveBuffer(mode, max_message_size=10)
    too_big.feed(encode(b"0123456789A", mode))
    with pytest.raises(FramingError):
        too_big.next_message()


def test_eom_over_max_size_fails_before_delimiter_arrives() -> None:
    buf = ReceiveBuffer(max_message_size=10)
    buf.feed(b"x" * 11 + b"]]>]]")
    with pytest.raises(FramingError):
        buf.next_message()


def test_chunked_over_max_size_fails_on_header() -> None:
    buf = ReceiveBuffer(FramingMode.CHUNKED, max_message_size=10)
    buf.feed(b"\n#6\nabcdef\n#5\n")
    with pytest.raises(FramingError):
        buf.next_message()


def test_mode_switch_between_messages_reads_rest_in_new_mode() -> None:
    buf = ReceiveBuffer()
    buf.feed(encode(b"<hello/>", FramingMode.EOM) + encode(b"<rpc/>", FramingMode.CHUNKED))
    assert buf.next_message() == b"<hello/>"
    buf.mode = FramingMode.CHUNKED
    assert buf.mode is FramingMode.CHUNKED
    assert buf.next_message() == b"<rpc/>"


def test_mode_switch_inside_chunked_message_is_refused() -> None:
    buf = ReceiveBuffer(FramingMode.CHUNKED)
    buf.feed(b"\n#2\nab")
    assert buf.next_message() is None
    with pytest.raises(FramingError):
        buf.mode = FramingMode.EOM


def test_pending_and_len_report_buffered_bytes() -> None:
    buf = ReceiveBuffer()
    assert not buf.pending
    assert len(buf) == 0
    buf.feed(b"<a/>]]>")
    assert buf.next_message() is None
    assert buf.pending
    assert len(buf) == 7


def test_max_message_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ReceiveBuffer(max_message_size=0)
