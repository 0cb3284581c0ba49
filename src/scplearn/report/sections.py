"""The report's sections — Reach, Uplift, Impact, Voices, Charts — written from the published figures.

Each function takes the :class:`~scplearn.report.figures.Figures` and returns
a :class:`~scplearn.report.render.Section` in Markdown. Every figure is a
published one (the same number the public site shows); :mod:`.published`
words a withheld one and :mod:`.wording` says how a number reads, so the
sentences adapt to the data: a fall is never called an increase, one event
is "1 event", a small withheld count reads "fewer than 8", and no rate or
average is given over a withheld count. Attendances (a person at two
sessions counts twice) and people (different people) are named as such.
"""

from __future__ import annotations

from .. import model
from ..model import DIMENSIONS
from . import wording
from .figures import withheld, withheld_small
from .published import (
    DASH, count, course_changes, courses_with_gains, disclosed_dimensions, label, or_dash, people, sector_label,
    sector_order,
)
from .render import Section, escape_markdown, table

UNDER_REPRESENTED = 0.8
"""A sector whose representation ratio is below this is named as under-represented."""


def _title(row) -> str:
    return escape_markdown(row["title"])


# -- reach ------------------------------------------------------------------------


def reach(figures) -> Section:
    r = figures.reach
    paragraphs = [_totals(figures)]
    if figures.events:
        paragraphs.append("\n".join(
            f"- {_event_name(event)}: {people(figures.policy, event, 'headcount', 'person', 'people')}"
            for event in figures.events
        ))
    if figures.regular_sessions:
        text = (f"In {figures.year}, {wording.plural(r['spaces_offered'] or 0, 'delegate space')} "
                f"{'was' if r['spaces_offered'] == 1 else 'were'} offered and "
                f"{people(figures.policy, r, 'attended', 'attendance')} {'was' if r['attended'] == 1 else 'were'} made "
                f"at the {wording.plural(figures.regular_sessions, 'event')} in the programme")
        if r.get("attendance_rate") is not None:
            text += f", an overall attendance rate of {wording.percent(r['attendance_rate'])}"
        text += (f".[^attendance] They were made by "
                 f"{people(figures.policy, r, 'unique_delegates', 'different person', 'different people')}.")
        show = _show_rate(figures, r)
        paragraphs.append(text + (" " + show if show else ""))
    if figures.reach_compare:
        paragraphs.append(_comparison(figures))
    if figures.cost:
        paragraphs.append(_cost(figures))
    paragraphs.append(_sectors(figures))
    return Section("Reach", "\n\n".join(paragraphs))


def _totals(figures) -> str:
    r = figures.reach
    sessions = wording.plural(r["sessions"], "session")
    events = r["headcount_only_sessions"]
    if not events:
        return (f"During {figures.year} the regular programme of multi-agency safeguarding children training "
                f"ran {sessions} and recorded {people(figures.policy, r, 'attended', 'attendance')}; there were no large "
                "events counted by headcount.")
    modes = {}
    for event in figures.events:
        modes[event["mode"]] = modes.get(event["mode"], 0) + 1
    kinds = wording.listing(wording.some(n, *_event_noun(mode)) for mode, n in sorted(modes.items()))
    return (
        f"During {figures.year} multi-agency safeguarding children training recorded "
        f"{people(figures.policy, r, 'headcount', 'attendance')} in all: "
        f"{people(figures.policy, r, 'attended', 'attendance')} at the regular programme and "
        f"{people(figures.policy, r, 'headcount_only_attendance', 'person', 'people')} counted at "
        f"{wording.plural(events, 'large event')} ({kinds}). "
        f"In all, {sessions} {'was' if r['sessions'] == 1 else 'were'} run."
    )


LARGE_EVENT_NOUNS = {
    "festival": ("festival of learning", "festivals of learning"),
    "briefing": ("live briefing", "live briefings"),
}


def _event_noun(mode: str) -> tuple[str, str]:
    singular, plural_form = LARGE_EVENT_NOUNS.get(mode, (None, None))
    if singular is None:
        singular = model.MODES.get(mode, mode).lower()
        plural_form = singular + "s"
    return singular, plural_form


def _event_name(event) -> str:
    """An event's course title, with its kind unless the title already says it."""
    kind = _event_noun(event["mode"])[0]
    title = _title(event)
    return title if kind.split()[0] in event["title"].lower() else f"{title} ({kind})"


def _show_rate(figures, r) -> str:
    text = ""
    if r.get("show_rate") is not None:
        text += (f"Of the places booked and not cancelled, {wording.percent(r['show_rate'])} were taken up "
                 "(the show rate)")
    if r.get("walk_ins") or withheld_small(r, "walk_ins"):
        walk_ins = people(figures.policy, r, 'walk_ins', 'attendance')
        text += f"{'; ' if text else ''}{walk_ins} {'was' if r.get('walk_ins') == 1 else 'were'} walk-ins, without a booking"
    return text + "." if text else ""


def _comparison(figures) -> str:
    now, before = figures.reach, figures.reach_compare
    before_regular = before["sessions"] - before["headcount_only_sessions"]
    if now["attended"] is None or before["attended"] is None:
        return wording.compared("The number of events", figures.regular_sessions, before_regular,
                                figures.compare) + "."
    text = wording.year_on_year(
        figures.compare, (figures.regular_sessions, before_regular), (now["attended"], before["attended"]),
        "attendances",
    )
    large_now, large_before = now.get("headcount_only_attendance"), before.get("headcount_only_attendance")
    events_before = before["headcount_only_sessions"]
    if large_now and large_before:
        way = wording.more_or_fewer(large_now, large_before)
        if way == "the same":
            text += f" Large events counted as many people as in {figures.compare} ({wording.number(large_before)})."
        else:
            text += (f" Large events counted {wording.plural(large_now, 'person', 'people')}, {way} than in "
                     f"{figures.compare} ({wording.number(large_before)}).")
    elif events_before and not now["headcount_only_sessions"]:
        text += f" There were no large events this year, against {wording.some(events_before, 'large event')} " \
                f"in {figures.compare}."
    elif now["headcount_only_sessions"] and not events_before:
        text += f" There were no large events in {figures.compare}."
    return text


def _cost(figures) -> str:
    cost = figures.cost
    text = f"Training spend in {figures.year} was £{wording.number(cost['spend'])}"
    per_person, per_attendance = cost.get("cost_per_delegate"), cost.get("cost_per_attendance")
    if per_person is not None:
        text += f": £{wording.number(per_person)} for each different person trained"
        if per_attendance is not None:
            text += f" and £{wording.number(per_attendance)} per attendance"
    elif per_attendance is not None:
        text += f": £{wording.number(per_attendance)} per attendance"
    return text + ".[^cost]"


NOT_BROKEN_DOWN = "{what} is published for the programme as a whole, not for each partnership."


def _sectors(figures) -> str:
    if not figures.breakdowns:
        return NOT_BROKEN_DOWN.format(what="Participation by sector")
    rows = sorted(figures.sectors, key=lambda row: sector_order(row["sector"]))
    disclosed = [row for row in rows if row.get("unique_delegates") is not None]
    if not disclosed:
        if not rows:
            return "No delegate's sector is known for this year."
        return ("Too few people from each sector took part to show participation by sector: every sector's "
                "count is withheld to protect individuals.")
    body = []
    under = []
    for row in rows:
        ratio = row.get("representation_ratio")
        body.append([sector_label(row["sector"]), count(figures.policy, row, "unique_delegates"),
                     or_dash(row.get("per_1000_workforce"), lambda v: f"{v:.1f}"),
                     or_dash(ratio, lambda v: f"{v:.2f}")])
        if ratio is not None and ratio < UNDER_REPRESENTED:
            under.append(sector_label(row["sector"]))
    text = ("People from each sector who took part, against the size of each sector's "
            "workforce:[^representation]\n\n"
            + table(["Sector", "People", "Per 1,000 workforce", "Representation ratio"], body))
    if under:
        text += (f"\n\nAgainst their share of the workforce, {wording.listing(under)} "
                 f"{'was' if len(under) == 1 else 'were'} under-represented "
                 f"(a representation ratio below {UNDER_REPRESENTED}).")
    elif any(row.get("representation_ratio") is not None for row in rows):
        text += ("\n\nParticipation generally reflects the size of the relevant workforce: no sector had a "
                 f"representation ratio below {UNDER_REPRESENTED}.")
    return text


# -- uplift -----------------------------------------------------------------------


def _changes_sentence(rows: dict) -> str:
    dimensions = list(rows)
    changes = [rows[d]["mean_change"] for d in dimensions]
    names = wording.listing(dimensions)
    if all(wording.points(c) != "0.0" and c > 0 for c in changes):
        values = wording.listing(wording.points(c) for c in changes)
        return (f"{names.capitalize()} showed an average improvement post training of "
                f"{values} {'point' if len(changes) == 1 and values == '1.0' else 'points'}"
                f"{' respectively' if len(changes) > 1 else ''}.")
    parts = wording.listing(f"{wording.signed_points(c)}{' points' if i == 0 else ''} for {d}"
                            for i, (d, c) in enumerate(zip(dimensions, changes)))
    rose = [d for d, c in zip(dimensions, changes) if wording.points(c) != "0.0" and c > 0]
    fell = [d for d, c in zip(dimensions, changes) if wording.points(c) != "0.0" and c < 0]
    flat = [d for d in dimensions if d not in rose and d not in fell]
    clauses = []
    if rose:
        clauses.append(f"{wording.listing(rose)} improved")
    if fell:
        clauses.append(f"{wording.listing(fell)} fell after training")
    if flat:
        clauses.append(f"{wording.listing(flat)} did not change on average")
    return f"The average change in self-rating after training was {parts}: {'; '.join(clauses)}."


def _net_sentence(rows: dict) -> str:
    nets = {d: row["net_score"] for d, row in rows.items() if row.get("net_score") is not None}
    if not nets:
        return ""
    detail = wording.listing(f"{wording.whole(v)} for {d}" for d, v in nets.items())
    if min(nets.values()) <= 0:
        return (f"The net score — delegates rating themselves higher after training less those rating themselves "
                f"lower — was {detail} (on a scale from -100 to +100).[^net]")
    shown_values = sorted({wording.whole(v) for v in nets.values()}, key=int)
    if len(shown_values) > 1:
        summary = f"net scores from {shown_values[0]} to {shown_values[-1]}"
    else:
        summary = f"a net score of {shown_values[0]}" + (" for each" if len(nets) > 1 else "")
    return (f"Delegates who rated themselves higher after training outnumbered those who rated themselves "
            f"lower, giving {summary} (on a scale from -100 to +100): {detail}.[^net]")


def _uplift_compare(figures, rows: dict) -> str:
    before = disclosed_dimensions(figures.uplift_compare)
    common = [d for d in rows if d in before]
    if not common:
        return ""
    groups = {}
    for d in common:
        way = wording.direction(rows[d]["mean_change"], before[d]["mean_change"])
        groups.setdefault(way, []).append(d)
    values = wording.listing(wording.points(before[d]["mean_change"]) for d in common)
    clauses = [f"{'the same' if way == 'the same' else way} for {wording.listing(ds)}"
               for way, ds in groups.items()]
    return (f"In {figures.compare} the average changes were {values} points "
            f"({wording.listing(common)}); this year's were {wording.listing(clauses)}.")


def _uplift_table(figures) -> str:
    body = []
    for d in DIMENSIONS:
        row = figures.uplift.get(d)
        if row is None:
            continue
        mean = row.get("mean_change")
        body.append([
            label(d),
            count(figures.policy, row, "n"),
            or_dash(row.get("mean_pre"), lambda v: f"{v:.1f}"),
            or_dash(row.get("mean_post"), lambda v: f"{v:.1f}"),
            or_dash(mean, wording.signed_points),
            DASH if mean is None or row.get("ci_low") is None else
            f"{wording.signed_points(row['ci_low'])} to {wording.signed_points(row['ci_high'])}",
            or_dash(row.get("pct_improved"), wording.percent),
            or_dash(row.get("net_score"), wording.whole),
        ])
    return table(["Dimension", "Delegates (n)", "Before", "After", "Average change", "95% CI",
                  "Improved", "Net score"], body)


def _courses(figures) -> str:
    if not figures.breakdowns:
        return NOT_BROKEN_DOWN.format(what="Uplift by course")
    ranked = courses_with_gains(figures)
    all_courses = {row["course"] for row in figures.courses}
    left_out = len(all_courses) - len(ranked)
    threshold = figures.policy.min_n_for_statistic
    if not ranked:
        return (f"No course had {threshold} or more delegates completing both ratings, "
                "so no course is reported on its own.")
    if len(ranked) == 1:
        text = f"Only {_title(ranked[0])} had enough evaluations to report on its own ({course_changes(ranked[0])})."
    else:
        size = 2 if len(ranked) >= 4 else 1
        largest, smallest = ranked[:size], ranked[-size:]
        text = (f"The largest gains were on {wording.listing(f'{_title(c)} ({course_changes(c)})' for c in largest)}; "
                f"the smallest on {wording.listing(f'{_title(c)} ({course_changes(c)})' for c in smallest)}.")
    if left_out:
        verb, own = ("is", "its") if left_out == 1 else ("are", "their")
        text += (f" {wording.plural(left_out, 'course')} with too few delegates completing both "
                 f"ratings {verb} not reported on {own} own.")
    rows = [[_title(c), count(figures.policy, c["rows"][DIMENSIONS[0]], "n"),
             *(wording.signed_points(c["rows"][d]["mean_change"]) for d in DIMENSIONS)] for c in ranked]
    text += "\n\n" + table(["Course", "Delegates", *(label(d) for d in DIMENSIONS)], rows)
    return text


def uplift(figures) -> Section:
    if not figures.uplift:
        return Section("Uplift", f"No pre- and post-training self-ratings were recorded in {figures.year}.")
    rows = disclosed_dimensions(figures.uplift)
    widest = max(figures.uplift.values(), key=lambda row: row.get("n") or 0)
    intro = ("On the evaluation form delegates rate their own knowledge, skills and confidence out of 10, "
             f"once before the course and once after it. In {figures.year}, "
             f"{people(figures.policy, widest, 'n', 'delegate')} rated themselves both times.")
    if not rows:
        return Section("Uplift", intro + " That is too few to report an average.")
    paragraphs = [intro + " " + _changes_sentence(rows)]
    paragraphs.append(_uplift_table(figures) + "\n\n"
                      "Average change: mean of after minus before, in points out of 10, with its 95% "
                      "confidence interval (CI); Improved: percentage rating themselves higher after "
                      "training.[^uplift]")
    for extra in (_net_sentence(rows), _uplift_compare(figures, rows)):
        if extra:
            paragraphs.append(extra)
    paragraphs.append(_courses(figures))
    return Section("Uplift", "\n\n".join(paragraphs))


# -- impact -----------------------------------------------------------------------


def impact(figures) -> Section:
    year = figures.year
    any_row = next(iter(figures.impact.values()), {})
    answered = any_row.get("followups")
    if not answered and not withheld(any_row, "followups"):
        reason = (f": the follow-ups of the courses run in {year} are not yet due"
                  if any_row.get("due") == 0 else "")
        return Section("Impact", f"There was no follow-up survey this year{reason}.")
    if any_row.get("response_rate") is None and any_row.get("pct_used_learning") is None:
        why = ("too few to report its results" if answered is not None or withheld_small(any_row, "followups")
               else "its results are withheld to protect individuals")
        return Section("Impact", f"The follow-up survey for {year} was answered by "
                       f"{people(figures.policy, any_row, 'followups', 'respondent')}, {why}.")
    text = (f"The follow-up survey, sent some three months after each course, was answered by "
            f"{people(figures.policy, any_row, 'followups', 'respondent')}, for "
            f"{people(figures.policy, any_row, 'due', 'attendance')} whose follow-up was due")
    response = any_row.get("response_rate")
    text += f" (a response rate of {wording.percent(response)})." if response is not None else "."
    used, action = any_row.get("pct_used_learning"), any_row.get("pct_specific_action")
    if used is not None:
        text += (f" {wording.percent(used)} of respondents confirmed that they had used the learning in their "
                 "everyday work")
        text += (f", and 'taking specific action in the workplace' was reported by {wording.percent(action)}."
                 if action is not None else ".")
    elif action is not None:
        text += f" 'Taking specific action in the workplace' was reported by {wording.percent(action)}."
    paragraphs = [text + "[^impact]"]
    rows = []
    for answer, key in (("Used the learning in everyday work", "pct_used_learning"),
                        ("Took specific action in the workplace", "pct_specific_action")):
        value = any_row.get(key)
        if value is None:
            continue
        low, high = any_row.get(f"{key}_ci_low"), any_row.get(f"{key}_ci_high")
        interval = DASH if low is None else f"{wording.percent(low)} to {wording.percent(high)}"
        rows.append([answer, wording.percent(value), interval])
    if rows:
        paragraphs.append(table(["Follow-up answer", "Of respondents", "95% CI"], rows))
    retention = _retention(figures)
    if retention:
        paragraphs.append(retention)
    gap = any_row.get("nonresponse_gap")
    if gap is not None and wording.points(gap) != "0.0":
        paragraphs.append(
            f"Respondents had gained {wording.points(abs(gap))} "
            f"{'point' if wording.points(abs(gap)) == '1.0' else 'points'} "
            f"{'more' if gap > 0 else 'less'} on average straight after training than the delegates who did "
            f"not answer, so the survey may {'flatter' if gap > 0 else 'understate'} the programme's effect.")
    return Section("Impact", "\n\n".join(paragraphs))


def _retention(figures) -> str:
    rows = {d: row for d, row in figures.impact.items() if row.get("mean_followup") is not None}
    if not rows:
        return ""
    held = [d for d, row in rows.items() if row["mean_followup"] >= row["mean_post"]]
    reduced = [d for d in rows if d not in held]
    detail = {d: f"{row['mean_post']:.1f} after training, {row['mean_followup']:.1f} at follow-up"
              for d, row in rows.items()}
    clauses = []
    if held:
        clauses.append(f"held at follow-up for {wording.listing(f'{d} ({detail[d]})' for d in held)}")
    if reduced:
        clauses.append(f"reduced after three months for {wording.listing(f'{d} ({detail[d]})' for d in reduced)}")
    widest = max(rows.values(), key=lambda row: row.get("rerated") or 0)
    text = (f"Among the {people(figures.policy, widest, 'rerated', 'respondent')} who rated themselves again, the gains "
            + " but ".join(clauses) + ".")
    body = [[label(d), count(figures.policy, row, "rerated"), f"{row['mean_pre']:.1f}", f"{row['mean_post']:.1f}",
             f"{row['mean_followup']:.1f}", or_dash(row.get("retention"), wording.percent_of_one)]
            for d, row in rows.items()]
    return text + "\n\n" + table(["Dimension", "Re-rated", "Before", "After", "Follow-up", "Gain retained"], body)


# -- voices -----------------------------------------------------------------------


def voices(figures) -> Section:
    if not figures.quotes:
        return Section("Voices", f"No feedback quotes are published for {figures.year}: a course's quotes are "
                       f"published when at least {figures.policy.min_count} delegates consented to theirs.")
    lines = []
    for quote in figures.quotes:
        lines.append("> *" + escape_markdown(wording.curly_quoted(quote["quote"])) + "* "
                     + escape_markdown(wording.attribution(quote["role"], quote["title"])))
    return Section("Voices", "The training also received qualitative feedback from delegates (quoted with "
                   "their consent):\n\n" + "\n>\n".join(lines))


def charts_section(charts_drawn) -> Section:
    if not charts_drawn:
        return Section("Charts", "There is nothing to chart: too few figures are published for this year.")
    text = ("The charts below are saved beside this report as PNG and SVG files. They read in greyscale: "
            "series differ by shade and by hatching or marker shape.")
    return Section("Charts", text, charts_drawn)


# -- notes ------------------------------------------------------------------------


def notes(figures) -> dict[str, str]:
    """The footnotes the sections refer to, by name."""
    policy = figures.policy
    rounding = (f"rounded to the nearest {policy.rounding_base}" if policy.rounding_base > 1 else "exact")
    return {
        "attendance": (
            "Attendance rate: attendances at the regular programme's sessions with a set number of places, as "
            "a share of those places (delegate spaces offered). Large events counted by headcount "
            "(festivals of learning, conferences, webinars, live briefings) have no register and are left out "
            "of it. Show rate: booked places taken up, as a share of bookings not cancelled. "
            "Attendances count a person once per session attended; different people once each."),
        "cost": "Spend as recorded for the financial year, divided by the published numbers of people and "
                "attendances it paid for.",
        "representation": (
            "People: different people from each sector who took part. Per 1,000 workforce: those from agencies "
            "whose workforce is known, per 1,000 of the sector's known workforce. Representation ratio: that "
            "rate divided by the rate for every sector together; 1 means participation in proportion to the "
            f"workforce. Below {UNDER_REPRESENTED} a sector is named as under-represented: it sent at most four "
            "fifths of its proportionate share."),
        "uplift": (
            "Averages over the delegates who gave both ratings for a dimension. The confidence interval is for "
            "the mean change."),
        "net": ("Net score: the share of delegates rating themselves higher after training less the "
                "share rating themselves lower; -100 if everyone fell, +100 if everyone rose."),
        "impact": (
            "A follow-up is due once its window (about three months after the session) has opened, or as soon "
            "as it is answered. Response rate: answers as a share of follow-ups due. Shares are of "
            "those who answered the question, with 95% Wilson score intervals."),
        "disclosure": (
            f"To protect individuals, every count of people in this report is {rounding}, and counts from 1 to "
            f"{policy.min_count - 1} are not shown (they read 'fewer than {policy.min_count}'); a further count "
            "is withheld (it reads 'undisclosed') wherever the published figures would otherwise let a small "
            "one be worked out. Shares, rates and costs per head are computed from the published counts, and "
            f"an average is shown only where at least {policy.min_n_for_statistic} delegates contribute. The "
            "figures are those of the partnership's published training data site. Counts of sessions and "
            "places, and spend, are exact."),
    }
