"""The plugin manager: built-in features and installed plugins, registered the same way.

Plugins are found through the ``scplearn`` entry-point group. Set the
environment variable ``SCPLEARN_LOAD_PLUGINS`` to a comma-separated list of
distribution names to load only those, or to an empty string to load none.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os

import pluggy

from . import hookspecs
from .errors import ScplearnError

DEFAULT_PLUGINS = (
    "scplearn.importers.register",
    "scplearn.importers.canonical",
    "scplearn.importers.eventbrite",
    "scplearn.importers.teams",
    "scplearn.importers.msforms",
    "scplearn.importers.googleforms",
    "scplearn.importers.mapped",
    "scplearn.importers.youtube",
    "scplearn.evaluators.uplift",
    "scplearn.evaluators.reach",
    "scplearn.evaluators.impact",
    "scplearn.evaluators.cost",
    "scplearn.evaluators.scores",
    "scplearn.evaluators.events",
    "scplearn.evaluators.coverage",
    "scplearn.evaluators.resources",
    "scplearn.report.currency",
    "scplearn.report.learning_resources",
)

pm = pluggy.PluginManager("scplearn")
pm.add_hookspecs(hookspecs)
_loaded = False


def load_plugins() -> None:
    """Register the built-in plugins, then the installed ones (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module_name in DEFAULT_PLUGINS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        pm.register(module, name=module_name)
    wanted = os.environ.get("SCPLEARN_LOAD_PLUGINS")
    if wanted is None:
        pm.load_setuptools_entrypoints("scplearn")
        return
    for name in filter(None, (part.strip() for part in wanted.split(","))):
        distribution = importlib.metadata.distribution(name)
        for entry_point in distribution.entry_points:
            if entry_point.group == "scplearn" and pm.get_plugin(entry_point.name) is None:
                pm.register(entry_point.load(), name=entry_point.name)


def source_of(plugin) -> str:
    """``built-in`` or the name of the distribution a plugin object comes from."""
    name = pm.get_name(plugin) or ""
    if name in DEFAULT_PLUGINS:
        return "built-in"
    for plugin_object, distribution in pm.list_plugin_distinfo():
        if plugin_object is plugin:
            return distribution.project_name if hasattr(distribution, "project_name") else distribution.metadata["Name"]
    return name


def _collect(hook) -> dict:
    """Call a ``register_*`` hook and gather what each plugin registers, by name."""
    load_plugins()
    found = {}
    for implementation in reversed(hook.get_hookimpls()):
        def register(item, plugin=implementation.plugin):
            if item.name in found:
                raise ScplearnError(
                    f"two plugins register {item.name!r}: {found[item.name][1]} and {source_of(plugin)}"
                )
            found[item.name] = (item, source_of(plugin))

        implementation.function(register=register)
    return found


def get_evaluators() -> dict:
    """Every installed evaluator, by name, as ``{name: evaluator}``."""
    from .evaluator import Evaluator

    found = {name: item for name, (item, _) in _collect(pm.hook.register_evaluators).items()}
    from .evaluation import GROUPINGS

    for name, item in found.items():
        if not isinstance(item, Evaluator):
            raise ScplearnError(f"the evaluator {name!r} ({type(item).__name__}) must be a scplearn.Evaluator: "
                                "see docs/plugins.md")
        taken = set(item.columns) & {*GROUPINGS, *item.row_labels, "grouping", "parameters", "run"}
        if taken:
            raise ScplearnError(f"the evaluator {name!r} names a column like a grouping field or label: "
                                f"{', '.join(sorted(taken))}")
    return found


def get_importers() -> dict:
    """Every installed importer, by name, as ``{name: importer}``."""
    return {name: item for name, (item, _) in _collect(pm.hook.register_importers).items()}


def sources(hook_name: str) -> dict:
    """``{name: source}`` for what a ``register_*`` hook registers."""
    return {name: source for name, (_, source) in _collect(getattr(pm.hook, hook_name)).items()}


def get_plugins() -> list[dict]:
    """The installed (non built-in) plugins with their hooks, as ``scplearn plugins`` lists them."""
    load_plugins()
    plugins = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin)
        if name in DEFAULT_PLUGINS:
            continue
        info = {"name": name, "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or [])}
        for plugin_object, distribution in pm.list_plugin_distinfo():
            if plugin_object is plugin:
                info["name"] = distribution.metadata["Name"]
                info["version"] = distribution.version
        plugins.append(info)
    return sorted(plugins, key=lambda info: info["name"])
