"""CLI commands: publish."""

COMMANDS = []
