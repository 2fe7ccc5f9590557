"""An RE's file system: reading one file answers what the whole file system holds."""

from __future__ import annotations

from emulator.commands.filesystem import file_bytes, file_system
from emulator.model.chassis import SwitchMethod
from emulator.model.clock import VirtualClock
from emulator.model.router import RouterModel, RouterParams


def test_reading_one_file_answers_what_the_whole_file_system_holds() -> None:
    model = RouterModel(RouterParams(name="r1", platform="MX480"), VirtualClock())
    r = model.chassis.re(0)
    r.files["/var/tmp/notes.txt"] = b"stored\n"
    r.files["/var/log/mastership"] = b"a stored copy the live log hides\n"
    model.chassis.switchover(0, SwitchMethod.SWITCH)
    model.clock.advance(300)
    fs = file_system(model, r, "root")
    paths = [e.path for e in fs.walk("/")] + ["/nowhere", "/var/log/", "/var/tmp/notes.txt/"]
    assert "/var/log/messages" in paths and "/config/juniper.conf" in paths
    for path in paths:
        assert file_bytes(model, r, path) == fs.read(path), path
    assert file_bytes(model, r, "/var/log/mastership") != b"a stored copy the live log hides\n"
