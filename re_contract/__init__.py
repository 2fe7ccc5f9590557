"""The contract shared by the harness and the emulator; it imports neither side.

What both sides must agree on is declared here once (docs/architecture.md, DESIGN.md "The house"):

- :mod:`re_contract.testbed` -- the testbed schema, its loader and its records
  (:mod:`re_contract.schema` declares the file, ``testbeds/testbed.schema.json`` publishes it);
- :mod:`re_contract.control` -- the emulator-only control RPCs (namespace, names, arguments);
- :mod:`re_contract.events` -- Table 107's mastership event codes;
- :mod:`re_contract.listeners` -- the names of an emulated router's listeners;
- :mod:`re_contract.platform` -- the platform vocabulary a testbed may override;
- :mod:`re_contract.errors` -- the contract's exception tree.

Nothing is imported here, so ``import re_contract.events`` stays cheap (no pydantic, no YAML).
"""

__all__: list[str] = []
