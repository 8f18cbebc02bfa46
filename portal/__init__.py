"""The ground floor every app of the portal may use (see docs/architecture.md)."""
