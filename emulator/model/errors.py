"""The model's exception tree: what a real router refuses, in the words it uses.

Faces (NETCONF, CLI) turn these into ``<rpc-error>`` elements or ``error:`` lines; the message is
the text a Junos router prints after ``error: ``.
"""

from __future__ import annotations

__all__ = [
    "CommandRefusedError",
    "ModelError",
    "NotMasterError",
    "NotReadyError",
    "UnknownTargetError",
    "UnreachableError",
]


class ModelError(Exception):
    """Base of every refusal the model makes; ``str()`` is the router's message."""

    #: NETCONF error-tag the faces should use.
    tag = "operation-failed"


class CommandRefusedError(ModelError):
    """The command does not apply in the current state (acquire on the master, ...)."""


class NotMasterError(ModelError):
    """The command only runs on the master Routing Engine."""


class NotReadyError(ModelError):
    """The 240 s hold-down between switchovers has not elapsed (real Junos)."""

    def __init__(self, remaining: int) -> None:
        super().__init__(
            f"Command aborted. Not ready for mastership switch, try after {remaining} secs."
        )
        self.remaining = remaining


class UnknownTargetError(ModelError):
    """A slot, file, process or RE name that does not exist."""

    tag = "invalid-value"


class UnreachableError(ModelError):
    """The other Routing Engine cannot be reached over the internal link."""
