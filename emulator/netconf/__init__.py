"""Sans-IO NETCONF server side: RFC 6242 framing, the session state table, ``<rpc-error>``.

Nothing here does I/O or imports an SSH library: the server face feeds bytes to a
:class:`NetconfSession`, pulls events out of it, dispatches the RPCs itself and writes the
bytes :meth:`NetconfSession.reply` returns (the shape of h11).
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
from emulator.netconf.events import (
    TRANSITIONS,
    CloseRequested,
    Event,
    HelloReceived,
    PeerEOF,
    Request,
    RpcReceived,
    RpcRejected,
    RpcReply,
    SessionState,
    Violation,
    next_state,
)
from emulator.netconf.framing import FramingMode, ReceiveBuffer, encode
from emulator.netconf.messages import BASE_1_0, BASE_1_1, local_name
from emulator.netconf.session import (
    DEFAULT_CAPABILITIES,
    JUNOS_CAPABILITIES,
    NetconfSession,
    offering_base_1_1,
)

__all__ = [
    "BASE_1_0",
    "BASE_1_1",
    "DEFAULT_CAPABILITIES",
    "NETCONF_BASE_NS",
    "TRANSITIONS",
    "CloseRequested",
    "ErrorSeverity",
    "ErrorTag",
    "ErrorType",
    "Event",
    "FramingError",
    "FramingMode",
    "HelloReceived",
    "JUNOS_CAPABILITIES",
    "NetconfError",
    "NetconfSession",
    "PeerEOF",
    "ProtocolError",
    "ReceiveBuffer",
    "Request",
    "RpcError",
    "RpcReceived",
    "RpcRejected",
    "RpcReply",
    "SessionState",
    "Violation",
    "encode",
    "local_name",
    "next_state",
    "offering_base_1_1",
]
