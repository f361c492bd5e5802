"""navrapport: scripts that clean, compare and render the report (importable by tests)."""
