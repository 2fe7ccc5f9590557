"""Sans-IO NETCONF server side: RFC 6242 framing, the session state table, ``<rpc-error>``.

Nothing here does I/O: ``emulator.ssh`` pumps bytes between a channel and ``NetconfSession``.
"""

from emulator.netconf.errors import (
    NETCONF_BASE_NS,
    ErrorSeverity,
    ErrorTag,
    ErrorType,
    FramingError,
    NetconfError,
    ProtocolError,
    RpcError,
)
from emulator.netconf.framing import FramingMode, ReceiveBuffer, encode
from emulator.netconf.session import (
    DEFAULT_CAPABILITIES,
    NetconfSession,
    RpcHandler,
    RpcReply,
    SessionState,
    local_name,
)

__all__ = [
    "DEFAULT_CAPABILITIES",
    "NETCONF_BASE_NS",
    "ErrorSeverity",
    "ErrorTag",
    "ErrorType",
    "FramingError",
    "FramingMode",
    "NetconfError",
    "NetconfSession",
    "ProtocolError",
    "ReceiveBuffer",
    "RpcError",
    "RpcHandler",
    "RpcReply",
    "SessionState",
    "encode",
    "local_name",
]
