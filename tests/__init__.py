"""The project's tests: unit, integration (real clients on loopback), plugin (pytester)."""
