"""The hooks a scplearn plugin can implement. Built-in features use the same hooks."""

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("scplearn")
hookimpl = HookimplMarker("scplearn")


@hookspec
def register_evaluators(register):
    """Register evaluators: call ``register(evaluator)`` for each one.

    An evaluator has ``name``, ``description``, ``version``, ``columns`` (the
    result columns it adds to the grouping fields), ``dimensions`` (true when it
    gives one row per dimension per group) and ``evaluate(store, by, where)``
    returning a list of dicts. See docs/plugins.md.
    """


@hookspec
def register_importers(register):
    """Register importers: call ``register(importer)`` for each one (see scplearn.importers)."""


@hookspec
def register_commands(cli):
    """Add commands to the ``scplearn`` click group."""

