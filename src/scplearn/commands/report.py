"""CLI commands: report."""

COMMANDS = []
