"""The harness's exception tree: one flat, documented list, split by who is at fault.

Every class derives from :class:`HarnessError`, so a suite can catch everything the harness
raises with one ``except``. Keep the list flat (one level under ``HarnessError`` unless a
subclass really is a special case of another) and document who is at fault in each docstring.

- :class:`HarnessError` -- base of every error the harness raises.
- :class:`TestbedError` -- the user's testbed file (or a lookup in it) is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "HarnessError",
    "TestbedError",
]


class HarnessError(Exception):
    """Base of every error the harness raises."""


class TestbedError(HarnessError):
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
