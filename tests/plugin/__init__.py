"""plugin tests."""
