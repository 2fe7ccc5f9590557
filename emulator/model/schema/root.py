"""The top of the configuration: ``version``, ``groups``, ``apply-groups`` and the hierarchies
a lab router's base configuration uses, in the order Junos shows them.

Facts from ``junos-conf-root@2022-01-01.yang``: ``version``, the ``groups`` list (``ordered-by
user``, each entry holding the whole configuration: ``uses juniper-group``), the leaf-lists
``apply-groups`` / ``apply-groups-except`` (``grouping apply-advanced``, also inside every
container and list entry).  Junos shows ``groups { re0 {...} }`` (samples/config.groups-re0-
re1.curly.vrnetlab-vmx.conf): one block holding the entries.
"""

from __future__ import annotations

from emulator.model.schema.build import APPLY, leaf
from emulator.model.schema.chassis import CHASSIS
from emulator.model.schema.interfaces import INTERFACES
from emulator.model.schema.protocols import PROTOCOLS
from emulator.model.schema.routing import POLICY_OPTIONS, ROUTING_OPTIONS
from emulator.model.schema.snmp import SNMP
from emulator.model.schema.system import SYSTEM
from emulator.model.schema.types import Kind, Statement, Text

__all__ = ["HIERARCHIES", "ROOT"]

#: The hierarchies of the top level, in Junos's display order.
HIERARCHIES = (SYSTEM, CHASSIS, INTERFACES, SNMP, ROUTING_OPTIONS, PROTOCOLS, POLICY_OPTIONS)

_GROUPS = Statement("groups", Kind.LIST, "Configuration groups", Text(), grouped=True,
                    top_after_key=True, placeholder="<group-name>", key_help="Group name")

ROOT = Statement(
    "configuration", Kind.CONTAINER, "",
    children=(leaf("version", "Software version information", Text()), _GROUPS, *APPLY,
              *HIERARCHIES),
)
