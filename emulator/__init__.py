"""The NETCONF/SSH emulator of a dual Routing Engine Junos router (see docs/emulator-model.md)."""

import logging

# A library logs; the application decides where it goes (STYLE.md habit 8).
logging.getLogger(__name__).addHandler(logging.NullHandler())
