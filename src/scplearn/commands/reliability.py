"""CLI commands: reliability."""

COMMANDS = []
