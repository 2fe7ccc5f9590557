"""``[edit chassis]``: redundancy in full, FPC/PIC basics, aggregated devices.

Facts from Juniper's ``junos-conf-chassis@2022-01-01.yang`` (22.4R1): ``chassis_redundancy_type``
(``routing-engine`` slot 0..1 with the choice master | backup | disabled, ``failover`` with
``on-loss-of-keepalives`` / ``on-disk-failure``, ``keepalive-time`` 2..10000 seconds,
``graceful-switchover``), ``chassis_rdd_failover_type``, the ``fpc`` / ``pic`` lists.
"""

from __future__ import annotations

from emulator.model.schema.build import container, flag, leaf, lst, presence
from emulator.model.schema.types import Choice, Number

__all__ = ["CHASSIS"]

_PRIORITY = "priority"

_REDUNDANCY = container(
    "redundancy", "Redundancy settings",
    lst("routing-engine", "Redundancy options for Routing Engines", Number(0, 1),
        flag("master", "Master Routing Engine", choice=_PRIORITY),
        flag("backup", "Backup Routing Engine", choice=_PRIORITY),
        flag("disabled", "Routing Engine disabled", choice=_PRIORITY),
        placeholder="<slot>", key_help="Routing Engine slot number", oneliner=True,
        advanced=False),
    presence(
        "failover", "Failover to other Routing Engine",
        flag("on-loss-of-keepalives", "Failover on loss of keepalives"),
        flag("on-re-to-fpc-stale", "Failover on loss of communication between the re and fpc"),
        flag("on-disk-failure", "Failover on disk failure"),
        flag("not-on-disk-underperform",
             "Prevent gstatd from initiating failovers in response to slow disks"),
        leaf("disk-read-threshold", "Read threshold (ms) on disk underperform monitoring",
             Number(1000, 10000)),
        leaf("disk-write-threshold", "Write threshold (ms) on disk underperform monitoring",
             Number(1000, 10000)),
        flag("on-loss-of-vm-host-connection", "Failover on loss of vm host connection")),
    leaf("keepalive-time", "Time before Routing Engine failover", Number(2, 10000),
         units="seconds"),
    leaf("mastership-refresh-timeout", "Mastership refresh timeout", Number(9, 30),
         units="seconds"),
    # YANG: chassis_non_stop_forwarding_type, apply-advanced and a deprecated traceoptions.
    presence("graceful-switchover", "Enable graceful switchover on supported hardware",
             advanced=True),
)

_PIC = lst(
    "pic", "Physical Interface Card number", Number(),
    leaf("pic-mode", "PIC mode configuration",
         Choice(("1G", "10G", "25G", "40G", "50G", "100G", "400G"))),
    presence("tunnel-services", "Tunnel services configuration",
             leaf("bandwidth", "Amount of bandwidth reserved for tunnel service",
                  Choice(("1g", "10g", "20g", "30g", "40g", "50g", "60g", "65g", "70g", "80g",
                          "90g", "100g", "200g", "300g", "400g")))),
    leaf("interface-type", "Interface prefix", Choice(("ge", "xe", "et"))),
    leaf("framing", "Framing mode", Choice(("sonet", "sdh", "t3", "e3", "t1", "e1", "lan"))),
    leaf("number-of-ports", "Number of physical ports to enable on PIC", Number()),
    leaf("power", "Power off PIC", Choice(("off",))),
    placeholder="<pic-number>", key_help="PIC slot number",
)

_FPC = lst(
    "fpc", "Flexible PIC Concentrator parameters", Number(),
    _PIC,
    leaf("power", "Power FPCs on or off", Choice(("off", "on"))),
    flag("offline", "Keep FPC offline"),
    leaf("number-of-ports", "Number of physical ports to enable on FPC", Choice(("8", "12"))),
    placeholder="<slot-number>", key_help="FPC slot number",
)

CHASSIS = container(
    "chassis", "Chassis configuration",
    _REDUNDANCY,
    container("aggregated-devices", "Aggregated devices configuration",
              container("ethernet", "Aggregated device options for Ethernet",
                        leaf("device-count", "Number of aggregated Ethernet devices",
                             Number()))),
    _FPC,
    leaf("network-services", "Chassis network services configuration",
         Choice(("ip", "ethernet", "enhanced-ip", "enhanced-ethernet", "enhanced-mode",
                 "lan"))),
    flag("auto-image-upgrade", "Auto image upgrade using DHCP"),
)
