"""The built-in evaluators. Each module registers itself through ``register_evaluators``,
exactly as an outside plugin does."""
