"""The emulator's SSH MAC (issue 15): keyed once per key exchange, the same bytes as asyncssh's
own ``hmac`` for every HMAC algorithm it offers."""

from __future__ import annotations

import hashlib
import hmac

import asyncssh.mac
import pytest

from emulator.ssh import KeyedHMAC, use_keyed_hmac

ALGORITHMS = use_keyed_hmac()


def test_every_hmac_algorithm_of_asyncssh_uses_it() -> None:
    table = asyncssh.mac._mac_handler
    plain = [name for name, (handler, _, _) in table.items() if handler is asyncssh.mac._HMAC]
    assert plain == []
    assert {"hmac-sha2-256", "hmac-sha2-512", "hmac-sha1", "hmac-sha2-256-etm@openssh.com",
            "hmac-sha1-96"} <= set(ALGORITHMS)
    assert use_keyed_hmac() == ALGORITHMS


@pytest.mark.parametrize("name", ALGORITHMS)
def test_the_mac_is_the_hmac_of_the_sequence_number_and_the_packet(name: str) -> None:
    handler, hash_size, (hash_alg,) = asyncssh.mac._mac_handler[name.encode()]
    key_size = asyncssh.mac.get_mac_params(name.encode())[0]
    key = bytes(range(1, key_size + 1))
    mac = asyncssh.mac.get_mac(name.encode(), key)
    assert isinstance(mac, KeyedHMAC) and handler is KeyedHMAC
    for seq, packet in [(0, b""), (7, b"\x00\x00\x00\x0c\x0a\x5e" + b"x" * 40),
                        (2**32 - 1, bytes(range(256)) * 30)]:
        want = hmac.new(key, seq.to_bytes(4, "big") + packet,
                        getattr(hashlib, hash_alg().name)).digest()[:hash_size]
        assert mac.sign(seq, packet) == want
        assert mac.sign(seq, packet) == want  # the keyed state is copied, not used up
        assert mac.verify(seq, packet, want)
        assert not mac.verify(seq + 1 & 0xFFFFFFFF, packet, want)
        assert not mac.verify(seq, packet + b"!", want)
