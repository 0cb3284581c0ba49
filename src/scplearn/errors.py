"""The errors scplearn raises for problems a user can fix (the CLI prints them as one line)."""


class ScplearnError(Exception):
    """A problem with the user's input or setup, explained in the message."""
