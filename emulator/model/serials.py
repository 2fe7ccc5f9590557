"""Serial numbers in Junos's formats, unique per router and RE, the same in every process.

Formats, from real replies (``../shared/junos/samples`` and public captures):

* MX chassis: ``JN1`` + 6 hexadecimal digits + ``AF`` + a letter (``JN1249018AFB`` in the
  MX480 samples, ``JN11E9CD7AFA`` from a public MX960 capture); M/T chassis: five digits
  (``65565``, the chapter's M320).
* MX Routing Engines: ten digits starting ``90`` (``9013088309``, ``9009126967``); M/T Routing
  Engines of the chapter's era: ``P1`` + ten digits (``P10865701859``, ``P11123900322``).
* Other modules keep the shape of the catalogue's template (``CAEB8262``, ``QCS1441U1AP``,
  ``HW8716``): its digits are replaced, its letters kept.

Every serial is drawn from SHA-256 of the router's name and what it labels, so two routers of a
fleet never show the same board and a restart shows the same serials again (``hash()`` would
change with every interpreter).
"""

from __future__ import annotations

import hashlib

from re_contract.platform import Era

__all__ = ["chassis_serial", "module_serial", "re_serial"]


def _digits(key: str, count: int) -> str:
    """Return ``count`` decimal digits drawn from ``key``."""
    value = int.from_bytes(hashlib.sha256(key.encode()).digest()[:12], "big")
    return f"{value % 10**count:0{count}d}"


def _hex(key: str, count: int) -> str:
    """Return ``count`` upper-case hexadecimal digits drawn from ``key``."""
    return hashlib.sha256(key.encode()).hexdigest()[:count].upper()


def chassis_serial(era: Era, router: str) -> str:
    """Return the chassis serial number of ``router`` in the format of its platform's era."""
    if era is Era.MX:
        letter = "ABC"[int(_digits(f"{router}/chassis/letter", 1)) % 3]
        return f"JN1{_hex(f'{router}/chassis', 6)}AF{letter}"
    return str(10000 + int(_digits(f"{router}/chassis", 5)) % 90000)


def re_serial(era: Era, router: str, slot: int) -> str:
    """Return the serial number of the Routing Engine in ``slot`` of ``router``."""
    key = f"{router}/re{slot}"
    return f"90{_digits(key, 8)}" if era is Era.MX else f"P1{_digits(key, 10)}"


def module_serial(template: str, router: str, path: str) -> str:
    """Return the serial of module ``path`` (``FPC 0/CPU``) of ``router`` in ``template``'s
    shape: each digit replaced, letters kept; ``BUILTIN`` and empty templates unchanged."""
    if not template or template == "BUILTIN":
        return template
    digits = iter(_digits(f"{router}/{path}", sum(c.isdigit() for c in template) or 1))
    return "".join(next(digits) if c.isdigit() else c for c in template)
