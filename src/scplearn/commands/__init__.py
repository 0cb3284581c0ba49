"""Groups of CLI commands, one module per feature, each listing its click commands in ``COMMANDS``."""
