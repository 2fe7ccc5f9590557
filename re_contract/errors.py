"""The contract's exception tree: who is at fault, with the data to say what is wrong.

- :class:`ContractError` -- base of every error this package raises.
- :class:`TestbedError` -- the user's testbed file (or a lookup in it) is wrong.
- :class:`ControlRpcError` -- a control RPC name or argument the contract does not declare.
- :class:`UnknownEventCode` -- a name that Table 107 does not have.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ContractError", "ControlRpcError", "TestbedError", "UnknownEventCode"]


class ContractError(Exception):
    """Base of every error the contract raises."""


class TestbedError(ContractError):
    """The testbed is wrong: bad YAML, a bad value, an unknown router or an unset variable.

    At fault: whoever wrote the testbed file (or the environment it names). Each problem is one
    line naming the file, the key path, what was expected and what was found; ``problems`` holds
    them all, ``str()`` lists them all.
    """

    # The name starts with "Test": tell pytest this is not a test class to collect.
    __test__ = False

    def __init__(self, problems: str | Sequence[str]) -> None:
        """Record one problem line or several.

        Raises:
            ValueError: if ``problems`` is an empty sequence (an error must say what is wrong).
        """
        lines = (problems,) if isinstance(problems, str) else tuple(problems)
        if not lines:
            raise ValueError("TestbedError needs at least one problem")
        self.problems: tuple[str, ...] = lines
        super().__init__(_render(lines))


def _render(lines: tuple[str, ...]) -> str:
    """Return one line for one problem, else a count followed by one indented line each."""
    if len(lines) == 1:
        return lines[0]
    return f"{len(lines)} problems in the testbed:\n" + "\n".join(f"  {line}" for line in lines)


class ControlRpcError(ContractError, ValueError):
    """A control RPC or argument that :mod:`re_contract.control` does not declare.

    At fault: the caller that built the request (a typo must not reach the emulator).
    """


class UnknownEventCode(ContractError, ValueError):
    """A pattern names an event code that Table 107 does not have.  At fault: the caller."""
