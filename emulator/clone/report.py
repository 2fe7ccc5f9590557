"""``clone-report.txt``: what a clone carried from the live router, and what it could not.

Nothing is dropped silently: every fact the clone reads and cannot represent in the emulator
(a statement its configuration schema lacks, an RE that did not answer, a measured phase the
emulator has no place for) is a line under "not carried", with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CloneReport"]


@dataclass(slots=True)
class CloneReport:
    """The lines of a clone report: a heading, what was carried, what was not."""

    router: str
    source: str
    carried: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)

    def carry(self, line: str) -> None:
        """Note a fact the clone carries."""
        self.carried.append(line)

    def miss(self, line: str) -> None:
        """Note a fact the clone could not carry, and why."""
        self.not_carried.append(line)

    def text(self) -> str:
        """Return the report as the file holds it."""
        out = [f"re-emulator clone of router {self.router} ({self.source})", "",
               f"carried ({len(self.carried)}):"]
        out += [f"  {line}" for line in self.carried]
        out += ["", f"not carried ({len(self.not_carried)}):"]
        out += [f"  {line}" for line in self.not_carried] or ["  (nothing)"]
        return "\n".join(out) + "\n"
