"""CLI commands: evaluate."""

COMMANDS = []
