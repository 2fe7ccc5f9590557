"""The exception tree of the sans-IO NETCONF layer, and ``<rpc-error>`` rendering.

``NetconfError`` is the root. ``FramingError`` and ``ProtocolError`` are faults of the peer (or of
the pump driving the session); ``RpcError`` is a fault in one RPC and carries the RFC 6241
section 4.3 fields so that it can render its own ``<rpc-error>`` element.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from lxml import etree

__all__ = [
    "NETCONF_BASE_NS",
    "ErrorSeverity",
    "ErrorTag",
    "ErrorType",
    "FramingError",
    "NetconfError",
    "ProtocolError",
    "RpcError",
]

#: The NETCONF base namespace (RFC 6241 section 3.1); ncclient only sees ``rpc-error`` in it.
NETCONF_BASE_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"


class ErrorType(StrEnum):
    """The layer where an error occurred (RFC 6241 section 4.3, ``error-type``)."""

    TRANSPORT = "transport"
    RPC = "rpc"
    PROTOCOL = "protocol"
    APPLICATION = "application"


class ErrorSeverity(StrEnum):
    """The severity of an error (RFC 6241 section 4.3, ``error-severity``)."""

    ERROR = "error"
    WARNING = "warning"


class ErrorTag(StrEnum):
    """The error conditions of RFC 6241 Appendix A (``error-tag``)."""

    IN_USE = "in-use"
    INVALID_VALUE = "invalid-value"
    TOO_BIG = "too-big"
    MISSING_ATTRIBUTE = "missing-attribute"
    BAD_ATTRIBUTE = "bad-attribute"
    UNKNOWN_ATTRIBUTE = "unknown-attribute"
    MISSING_ELEMENT = "missing-element"
    BAD_ELEMENT = "bad-element"
    UNKNOWN_ELEMENT = "unknown-element"
    UNKNOWN_NAMESPACE = "unknown-namespace"
    ACCESS_DENIED = "access-denied"
    LOCK_DENIED = "lock-denied"
    RESOURCE_DENIED = "resource-denied"
    ROLLBACK_FAILED = "rollback-failed"
    DATA_EXISTS = "data-exists"
    DATA_MISSING = "data-missing"
    OPERATION_NOT_SUPPORTED = "operation-not-supported"
    OPERATION_FAILED = "operation-failed"
    PARTIAL_OPERATION = "partial-operation"
    MALFORMED_MESSAGE = "malformed-message"


class NetconfError(Exception):
    """Root of every error raised by ``emulator.netconf``."""


class FramingError(NetconfError):
    """The byte stream violates RFC 6242 framing, or a message exceeds the size cap."""


class ProtocolError(NetconfError):
    """An event is illegal in the current session state (or the session API was misused)."""


def _nc(local: str) -> str:
    """Return the Clark-notation name of ``local`` in the NETCONF base namespace."""
    return f"{{{NETCONF_BASE_NS}}}{local}"


class RpcError(NetconfError):
    """One RPC failed; renders itself as an RFC 6241 ``<rpc-error>``.

    Strings are accepted for ``error_type``, ``tag`` and ``severity`` and converted to their
    enums; an unknown value raises ``ValueError`` (RFC 6241 fixes these vocabularies).
    """

    error_type: ErrorType
    tag: ErrorTag
    severity: ErrorSeverity
    message: str | None
    info: Mapping[str, str]
    path: str | None

    def __init__(
        self,
        error_type: ErrorType | str,
        tag: ErrorTag | str,
        severity: ErrorSeverity | str = ErrorSeverity.ERROR,
        message: str | None = None,
        info: Mapping[str, str] | None = None,
        path: str | None = None,
    ) -> None:
        """Build the error; raises ``ValueError`` for a type, tag or severity not in RFC 6241."""
        self.error_type = ErrorType(error_type)
        self.tag = ErrorTag(tag)
        self.severity = ErrorSeverity(severity)
        self.message = message
        # A read-only copy: the caller's mapping may change after the error is raised.
        self.info = MappingProxyType(dict(info or {}))
        self.path = path
        super().__init__(message if message is not None else self.tag.value)

    def __repr__(self) -> str:
        """Return a constructor-like representation."""
        return (
            f"RpcError({self.error_type.value!r}, {self.tag.value!r}, "
            f"{self.severity.value!r}, message={self.message!r}, info={dict(self.info)!r}, "
            f"path={self.path!r})"
        )

    @classmethod
    def internal(cls, exc: BaseException) -> RpcError:
        """Return the operation-failed error that answers an RPC whose handler crashed with
        ``exc`` (the client learns the exception's type, not its details)."""
        return cls(ErrorType.APPLICATION, ErrorTag.OPERATION_FAILED,
                   message=f"internal error: {type(exc).__name__}")

    def to_element(self) -> etree._Element:
        """Return a new ``<rpc-error>`` element in the NETCONF base namespace.

        Children follow the order of the RFC 6241 schema: error-type, error-tag,
        error-severity, error-path, error-message, error-info (one child per ``info`` item,
        e.g. ``bad-element``, also in the base namespace as in the Junos samples).
        """
        root = etree.Element(_nc("rpc-error"), nsmap={None: NETCONF_BASE_NS})
        etree.SubElement(root, _nc("error-type")).text = self.error_type.value
        etree.SubElement(root, _nc("error-tag")).text = self.tag.value
        etree.SubElement(root, _nc("error-severity")).text = self.severity.value
        if self.path is not None:
            etree.SubElement(root, _nc("error-path")).text = self.path
        if self.message is not None:
            etree.SubElement(root, _nc("error-message")).text = self.message
        if self.info:
            info = etree.SubElement(root, _nc("error-info"))
            for name, value in self.info.items():
                etree.SubElement(info, _nc(name)).text = value
        return root
