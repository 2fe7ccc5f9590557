"""The CLI text of ``show chassis routing-engine`` / ``show chassis hardware`` against the
chapter's sample outputs: the same lines in the same order, apart from values.

The samples are quoted from the seed chapter ("Display Routing Engine Status", "Display the
Router Hardware"; M320, Junos 6.x era).  Newer Junos adds lines the chapter's release did not
print (CPU temperature, Last reboot reason, Load averages); those are the only extra lines.
"""

from __future__ import annotations

import re

from emulator.cli.session import CliSession
from emulator.model.clock import VirtualClock
from emulator.model.router import RouterModel, RouterParams

CHAPTER_RE = """\
Routing Engine status:
Slot 0:
  Current state      Master
  Election priority  Master (default)
  Temperature        29 degrees C / 84 degrees F
  DRAM               2048 MB
  Memory utilization 11 percent
  CPU utilization:
    User             0 percent
    Background       0 percent
    Kernel            2 percent
    Interrupt         0 percent
    Idle              98 percent
  Model              RE-3.0
  Serial ID          P10865701859
  Start time         2004-04-15 18:45:12 UTC
  Uptime             6 days, 3 hours, 56 minutes, 8 seconds
Routing Engine status:
Slot 1:
  Current state      Backup
  Election priority  Backup (default)
  Temperature        26 degrees C / 78 degrees F
  DRAM               2048 MB
  Memory utilization 10 percent
  CPU utilization:
"""

CHAPTER_HW = """\
Hardware inventory:
Item      Version Part number Serial number Description
Chassis           65565      M320
Midplane    REV 05  710-009120 RB0662    M320 Midplane
FPM GBUS     REV 04  710-005928 HV7564    M320 Board
FPM Display  REV 05  710-009351 HY0996    M320 FPM Display
CIP          REV 04  710-005926 HV2440    M320 CIP
PEM 0       Rev 03  740-009148 QD17663   DC Power Entry Module
PEM 1       Rev 03  740-009148 QD17664   DC Power Entry Module
PEM 2       Rev 03  740-009148 QD17662   DC Power Entry Module
PEM 3       Rev 03  740-009148 QD16006   DC Power Entry Module
Routing Engine 0 REV 05  740-008883 P11123900322 RE-4.0
Routing Engine 1 REV 05  740-008883 P11123900311 RE-4.0
CB 0        REV 07  710-009115 HW8716    M320 Control Board
CB 1        REV 07  710-009115 HW8693    M320 Control Board
"""

NEWER_JUNOS_LINES = ("CPU temperature", "Last reboot reason", "Load averages:")


def cli_output(command: str, platform: str = "M320") -> str:
    model = RouterModel(RouterParams(name="r", platform=platform, hostname="host"),
                        VirtualClock())
    cli = CliSession(model, 0, "user", session_id=1)
    cli.start()
    cli.data_to_send()
    cli.receive_data(command.encode() + b"\r")
    text = cli.data_to_send().decode().replace("\r\n", "\n")
    return text[len(command) + 1:].rsplit("\n\n", 1)[0]


def re_label(line: str) -> str:
    """The label of a status line: the text before the value column."""
    return re.split(r"\s{2,}|\s(?=\d)", line.strip(), maxsplit=1)[0]


def hw_item(line: str) -> str:
    """The item column of an inventory line (before the version or the part number)."""
    found = re.match(r"(.+?)\s+(?:REV|Rev|\d{3}-\d{6}|\d{5}\b)", line)
    return found.group(1) if found else " ".join(line.split())


def test_route_engine_lines_follow_the_chapter_sample() -> None:
    ours = [re_label(line) for line in cli_output("show chassis routing-engine").splitlines()
            if line.strip() and not line.strip()[0].isdigit()]
    ours = [label for label in ours if label not in NEWER_JUNOS_LINES]
    chapter = [re_label(line) for line in CHAPTER_RE.splitlines()]
    assert ours[: len(chapter)] == chapter


def test_chassis_hardware_lines_follow_the_chapter_sample() -> None:
    ours = cli_output("show chassis hardware").splitlines()
    chapter = CHAPTER_HW.splitlines()
    assert ours[0] == chapter[0]
    assert ours[1].split() == chapter[1].split()
    assert [hw_item(line) for line in ours[2: len(chapter)]] == [
        hw_item(line) for line in chapter[2:]]


def test_values_sit_in_the_sample_columns() -> None:
    """Each inventory line has the chapter's fields in the chapter's order."""
    ours = cli_output("show chassis hardware").splitlines()
    for mine, theirs in zip(ours[3:len(CHAPTER_HW.splitlines())], CHAPTER_HW.splitlines()[3:],
                            strict=True):
        assert re.sub(r"[A-Z]*\d+", "N", mine.split(hw_item(mine), 1)[1]).split() == \
            re.sub(r"[A-Z]*\d+", "N", theirs.split(hw_item(theirs), 1)[1]).split()
