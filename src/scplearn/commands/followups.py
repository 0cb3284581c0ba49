"""CLI commands: followups."""

COMMANDS = []
