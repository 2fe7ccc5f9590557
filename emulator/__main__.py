"""``python -m emulator`` is ``re-emulator``."""

from emulator.server import main

raise SystemExit(main())
