"""``python -m emulator`` is ``re-emulator``."""

from emulator.app import main

raise SystemExit(main())
