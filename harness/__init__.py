"""The pytest harness for dual Routing Engine Junos routers (see README.md)."""

import logging

# A library logs; the application decides where it goes (STYLE.md habit 8).
logging.getLogger(__name__).addHandler(logging.NullHandler())
