"""Table 107 ("Logging Events") of the chapter: the event codes of ``/var/log/mastership``.

The emulator writes them (``event = E_CMD_R, state = master, param = 0x0``); the harness reads
them back and matches patterns against them.  One declaration for both sides.
"""

from __future__ import annotations

import difflib
from enum import Enum

from re_contract.errors import UnknownEventCode

__all__ = ["EventCode", "UnknownEventCode"]


class EventCode(Enum):
    """The event codes of Table 107; the value is the table's description, word for word."""

    E_NULL = "The event is a null event."
    E_CFG_M = "The Routing Engine is configured as master."
    E_CFG_B = "The Routing Engine is configured as backup."
    E_CFG_D = "The Routing Engine is configured as disabled."
    E_MAXTRY = "The maximum number of tries to acquire or release mastership was exceeded."
    E_REQ_C = "A claim mastership request was sent."
    E_ACK_C = "A claim mastership acknowledgement was received."
    E_NAK_C = "A claim mastership request was not acknowledged."
    E_REQ_Y = "Confirmation of mastership is requested."
    E_ACK_Y = "Mastership is acknowledged."
    E_NAK_Y = "Mastership is not acknowledged."
    E_REQ_G = "A giveup mastership request was sent by a Routing Engine."
    E_ACK_G = "The Routing Engine acknowledges giveup of mastership."
    E_CMD_A = (
        "The command request chassis routing-engine master acquire was issued from the backup "
        "Routing Engine."
    )
    E_CMD_F = "Force switchover command was issued."
    E_CMD_R = (
        "The command request chassis routing-engine master release was issued from the master "
        "Routing Engine."
    )
    E_CMD_S = (
        "The command request chassis routing-engine master switch was issued from a Routing Engine."
    )
    E_NO_ORE = "No other Routing Engine is detected."
    E_TMOUT = "A request timed out."
    E_NO_IPC = "Routing Engine connection was lost."
    E_ORE_M = "Other Routing Engine state was changed to master."
    E_ORE_B = "Other Routing Engine state was changed to backup."
    E_ORE_D = "Other Routing Engine state was changed to disabled."

    @property
    def description(self) -> str:
        """Return Table 107's description of the code."""
        return str(self.value)

    @classmethod
    def from_name(cls, name: str) -> EventCode:
        """Return the code named ``name`` (``"E_CMD_S"``; surrounding blanks ignored).

        Raises:
            UnknownEventCode: ``name`` is not in Table 107; the message lists similar codes.
        """
        wanted = name.strip()
        try:
            return cls[wanted]
        except KeyError:
            similar = difflib.get_close_matches(wanted[:64], list(cls.__members__), len(cls), 0.7)
            hint = f" (similar: {', '.join(sorted(similar))})" if similar else ""
            raise UnknownEventCode(
                f"{wanted[:64]!r} is not an event code of Table 107{hint}") from None
