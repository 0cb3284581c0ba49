"""The hooks a scplearn plugin can implement. Built-in features use the same hooks."""

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("scplearn")
hookimpl = HookimplMarker("scplearn")


@hookspec
def register_evaluators(register):
    """Register evaluators: call ``register(evaluator)`` for each one.

    An evaluator is a :class:`scplearn.Evaluator`: a ``name``, a
    ``description``, its ``columns`` (each a ``scplearn.Count``,
    ``Statistic``, ``Derived``, ``Money`` or ``Text``) and a ``compute``
    method. See docs/plugins.md.
    """


@hookspec
def register_importers(register):
    """Register importers: call ``register(importer)`` for each one (see scplearn.importers)."""


@hookspec
def register_commands(cli):
    """Add commands to the ``scplearn`` click group."""


@hookspec
def report_sections(published, store, year, partnership, compare, policy):
    """Contribute sections to the annual-report training section (``scplearn report``).

    Called with ``published``, the published results
    (:class:`scplearn.results.Published`: ``published.rows("uplift",
    ["year"], year="2023/24")``, every figure already through the disclosure
    policy), the open store, the financial year (``"2023/24"``), the
    partnership or ``None`` (all), the year compared with or ``None``, and the
    :class:`scplearn.disclosure.DisclosurePolicy` applied. Quote published
    figures only: a figure computed from the store would escape the policy
    and its audit. An implementation takes the arguments it needs.

    Return a list of sections, each a :class:`scplearn.report.Section` or a
    dict with ``title``, ``markdown`` and optionally ``charts``:
    :class:`scplearn.report.Chart` objects (or dicts with ``name``,
    ``title``, ``alt`` and ``draw``, a function drawing on an empty matplotlib
    ``Figure`` of the report's standard size). Plugin sections come after
    Voices and before Charts. See docs/reporting.md.
    """
