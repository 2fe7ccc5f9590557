"""The testbed's ``emulator.limits`` section: what one client may cost an emulated router.

The keys model Junos's own knobs, with Junos's ranges (a value Junos refuses is refused here);
the emulator-only keys (no Junos knob) take any positive value.  ``docs/emulator-model.md``
("Limits") cites the Junos statements and their defaults::

    emulator:
      limits:
        connection_limit: 75            # system services netconf ssh connection-limit (1..250)
        rate_limit: 150                 # ... rate-limit, connections per minute (1..250)
        max_sessions_per_connection: 10 # system services ssh max-sessions-per-connection
        tries_before_disconnect: 3      # system login retry-options tries-before-disconnect
        backoff_threshold: 2            # retry-options backoff-threshold (1..3)
        backoff_factor: 5               # retry-options backoff-factor, seconds (5..10)
        login_grace: 120                # retry-options maximum-time, seconds (20..300)
        hello_timeout: 60               # emulator: seconds to the client <hello>
        idle_timeout: 600               # emulator: seconds without input
        send_deadline: 120              # emulator: seconds a client may leave replies unread
        max_message_size: 16777216      # emulator: bytes of one NETCONF message
        max_buffered_input: 67108864    # emulator: partial input of all sessions, bytes
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from re_contract.schema_types import Expect, Seconds, Section

__all__ = ["LimitsSection"]


_To250 = Annotated[int, Field(ge=1, le=250), Expect("an integer 1..250")]
_Sessions = Annotated[int, Field(ge=1, le=65535), Expect("an integer 1..65535")]
_Tries = Annotated[int, Field(ge=1, le=10), Expect("an integer 1..10")]
_Threshold = Annotated[int, Field(ge=1, le=3), Expect("an integer 1..3")]
_Factor = Annotated[int, Field(ge=5, le=10), Expect("an integer 5..10")]
_MaximumTime = Annotated[int, Field(ge=20, le=300), Expect("an integer 20..300")]
_Bytes = Annotated[int, Field(ge=1024), Expect("a number of bytes >= 1024")]


def _about(text: str) -> Any:
    """Return the description of a key (for the JSON Schema)."""
    return Field(description=text)


class LimitsSection(Section):
    """Limits of an emulated router's SSH/NETCONF service (all optional: the emulator's
    defaults are Junos's, except the waits that would slow a test down)."""

    model_config = ConfigDict(title="Emulator limits")

    connection_limit: Annotated[_To250, _about(
        "open connections to the router (Junos default 75)")] | None = None
    rate_limit: Annotated[_To250, _about(
        "connection attempts per minute (Junos default 150; off unless set)")] | None = None
    max_sessions_per_connection: Annotated[_Sessions, _about(
        "session channels on one SSH connection (Junos default 10)")] | None = None
    tries_before_disconnect: Annotated[_Tries, _about(
        "failed passwords before the connection closes (Junos default 3)")] | None = None
    backoff_threshold: Annotated[_Threshold, _about(
        "failed passwords before each further try waits (Junos default 2)")] | None = None
    backoff_factor: Annotated[_Factor, _about(
        "seconds added to the wait per failed try (Junos default 5; off unless set)")
                              ] | None = None
    login_grace: Annotated[_MaximumTime, _about(
        "seconds from connect to login: retry-options maximum-time (Junos default 120)")
                           ] | None = None
    hello_timeout: Annotated[Seconds, _about(
        "seconds from a NETCONF session's start to the client hello")] | None = None
    idle_timeout: Annotated[Seconds, _about(
        "seconds without input before a session is closed")] | None = None
    send_deadline: Annotated[Seconds, _about(
        "seconds a client may leave its replies unread (default 120)")] | None = None
    max_message_size: Annotated[_Bytes, _about(
        "bytes of one NETCONF message (default 16 MiB)")] | None = None
    max_buffered_input: Annotated[_Bytes, _about(
        "bytes of partial input all sessions of the router hold together (default 64 MiB)")
                                  ] | None = None

    def given(self) -> dict[str, int | float]:
        """Return the limits the testbed sets, by name (what it leaves out is not there)."""
        return {name: value for name, value in self.model_dump().items() if value is not None}
