"""The report's sections — Reach, Uplift, Impact, Voices, Charts — written from its figures.

Each function takes the :class:`~scplearn.report.figures.Figures` and the
disclosure policy and returns a :class:`~scplearn.report.render.Section` in
Markdown. Every figure goes through :mod:`.published` (the disclosure rules)
and :mod:`.wording` (how a number reads) on its way into a sentence, so the
sentences adapt to the data: a fall is never called an increase, one event
is "1 event", a withheld count reads "fewer than 8".
"""

from __future__ import annotations

from .. import model
from ..model import DIMENSIONS
from . import wording
from .published import (
    DASH, count, course_changes, courses_with_gains, delegates, disclosed_dimensions, label, or_dash,
    sector_label, sector_order, shown, total,
)
from .render import Section, escape_markdown, table

UNDER_REPRESENTED = 0.8
"""A sector whose representation ratio is below this is named as under-represented."""


def _title(row) -> str:
    return escape_markdown(row["title"])


# -- reach ------------------------------------------------------------------------


def reach(figures, policy) -> Section:
    r = figures.reach
    year = figures.year
    paragraphs = [_totals(figures, policy)]
    if figures.events:
        paragraphs.append("\n".join(
            f"- {_event_name(event)}: {delegates(policy, event['headcount'])}" for event in figures.events
        ))
    if figures.regular_sessions:
        paragraphs.append(
            f"In {year}, {total(policy, r['spaces_offered'] or 0)} delegate spaces were offered and "
            f"{total(policy, r['attended'])} people participated in the "
            f"{wording.plural(figures.regular_sessions, 'event')} in the programme, "
            f"with an overall attendance rate of {or_dash(r['attendance_rate'], wording.percent)}.[^attendance] "
            f"These attendances were made by "
            f"{delegates(policy, r['unique_delegates'], 'different person', 'different people')}. "
            + _show_rate(r, policy)
        )
    if figures.reach_compare:
        paragraphs.append(_comparison(figures, policy))
    if figures.cost:
        paragraphs.append(_cost(figures))
    paragraphs.append(_sectors(figures, policy))
    return Section("Reach", "\n\n".join(paragraphs))


def _totals(figures, policy) -> str:
    r = figures.reach
    sessions = wording.plural(r["sessions"], "session")
    events = figures.reach["headcount_only_sessions"]
    if not events:
        return (f"During {figures.year}, {delegates(policy, r['headcount'])} attended the regular "
                f"programme of multi-agency safeguarding children training ({sessions} run); "
                "there were no large events counted by headcount.")
    modes = {}
    for event in figures.events:
        modes[event["mode"]] = modes.get(event["mode"], 0) + 1
    kinds = wording.listing(wording.some(n, *_event_noun(mode)) for mode, n in sorted(modes.items()))
    return (
        f"During {figures.year} a total of {delegates(policy, r['headcount'])} attended multi-agency "
        f"safeguarding children training: the regular programme (attended by "
        f"{delegates(policy, r['attended'])}) and {wording.plural(events, 'large event')} counted by "
        f"headcount ({kinds}, attended by {delegates(policy, figures.large_event_attendance)}). "
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


def _show_rate(r, policy) -> str:
    text = ""
    if r["show_rate"] is not None:
        text += (f"Of the places booked and not cancelled, {wording.percent(r['show_rate'])} were taken up "
                 "(the show rate)")
    if r["walk_ins"]:
        text += f"{'; ' if text else ''}{delegates(policy, r['walk_ins'])} came without a booking"
    return text + "." if text else ""


def _comparison(figures, policy) -> str:
    now, before = figures.reach, figures.reach_compare
    before_regular = before["sessions"] - before["headcount_only_sessions"]
    text = wording.year_on_year(
        figures.compare, (figures.regular_sessions, before_regular), (now["attended"], before["attended"])
    )
    large_now = figures.large_event_attendance
    large_before = before["headcount"] - before["attended"]
    events_before = before["headcount_only_sessions"]
    if large_now and large_before:
        way = wording.more_or_fewer(large_now, large_before)
        if way == "the same":
            text += (f" Large events reached the same number of delegates as in {figures.compare} "
                     f"({total(policy, large_before)}).")
        else:
            text += (f" Large events reached {delegates(policy, large_now)}, {way} than in "
                     f"{figures.compare} ({total(policy, large_before)}).")
    elif events_before and not now["headcount_only_sessions"]:
        text += (f" There were no large events this year, against {wording.some(events_before, 'large event')} "
                 f"in {figures.compare} ({delegates(policy, large_before)}).")
    elif now["headcount_only_sessions"] and not events_before:
        text += f" There were no large events in {figures.compare}."
    return text


def _cost(figures) -> str:
    cost = figures.cost
    text = f"Training spend in {figures.year} was £{wording.number(cost['spend'])}"
    if cost["cost_per_delegate"] is not None:
        text += f": £{wording.number(cost['cost_per_delegate'])} for each different person trained"
        if cost["cost_per_attendance"] is not None:
            text += f" and £{wording.number(cost['cost_per_attendance'])} per attendance"
    return text + ".[^cost]"


def _sectors(figures, policy) -> str:
    rows = sorted(figures.sectors, key=lambda row: sector_order(row["sector"]))
    if not rows:
        return "No delegate's sector is known for this year."
    body = []
    under = []
    for row in rows:
        ratio = shown(policy, row, "representation_ratio", "unique_delegates")
        per_1000 = shown(policy, row, "per_1000_workforce", "unique_delegates")
        body.append([
            sector_label(row["sector"]),
            count(policy, row["unique_delegates"]),
            or_dash(per_1000, lambda v: f"{v:.1f}"),
            or_dash(ratio, lambda v: f"{v:.2f}"),
        ])
        if row.get("representation_ratio") is not None and row["representation_ratio"] < UNDER_REPRESENTED:
            under.append(sector_label(row["sector"]))
    absent = [sector_label(sector) for sector in figures.absent_sectors]
    text = ("Participation by sector, against the size of each sector's workforce:[^representation]\n\n"
            + table(["Sector", "People", "Per 1,000 workforce", "Representation ratio"], body))
    if under:
        text += (f"\n\nAgainst their share of the workforce, {wording.listing(under)} "
                 f"{'was' if len(under) == 1 else 'were'} under-represented "
                 f"(a representation ratio below {UNDER_REPRESENTED}).")
    elif any(row.get("representation_ratio") is not None for row in rows):
        text += ("\n\nParticipation generally reflects the size of the relevant workforce: no sector had a "
                 f"representation ratio below {UNDER_REPRESENTED}.")
    if absent:
        text += f" No delegates came from {wording.listing(absent)}."
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


def _net_sentence(rows: dict, policy) -> str:
    nets = {d: shown(policy, row, "net_score") for d, row in rows.items()}
    nets = {d: v for d, v in nets.items() if v is not None}
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


def _uplift_compare(figures, policy, rows: dict) -> str:
    before = disclosed_dimensions(policy, figures.uplift_compare)
    common = [d for d in rows if d in before]
    if not common:
        return ""
    groups = {}
    for d in common:
        way = wording.direction(round(rows[d]["mean_change"], 1), round(before[d]["mean_change"], 1))
        groups.setdefault(way, []).append(d)
    values = wording.listing(wording.points(before[d]["mean_change"]) for d in common)
    clauses = [f"{'the same' if way == 'the same' else way} for {wording.listing(ds)}"
               for way, ds in groups.items()]
    return (f"In {figures.compare} the average changes were {values} points "
            f"({wording.listing(common)}); this year's were {wording.listing(clauses)}.")


def _uplift_table(rows: dict, policy) -> str:
    body = []
    for d in DIMENSIONS:
        row = rows.get(d)
        if row is None:
            continue
        mean = shown(policy, row, "mean_change")
        body.append([
            label(d),
            total(policy, row["n"]),
            or_dash(shown(policy, row, "mean_pre"), lambda v: f"{v:.1f}"),
            or_dash(shown(policy, row, "mean_post"), lambda v: f"{v:.1f}"),
            or_dash(mean, wording.signed_points),
            DASH if mean is None or row.get("ci_low") is None else
            f"{wording.signed_points(row['ci_low'])} to {wording.signed_points(row['ci_high'])}",
            or_dash(shown(policy, row, "pct_improved"), wording.percent),
            or_dash(shown(policy, row, "net_score"), wording.whole),
        ])
    return table(["Dimension", "Delegates (n)", "Before", "After", "Average change", "95% CI",
                  "Improved", "Net score"], body)


def _courses(figures, policy) -> str:
    ranked = courses_with_gains(figures, policy)
    all_courses = {row["course"] for row in figures.courses}
    left_out = len(all_courses) - len(ranked)
    threshold = policy.min_n_for_statistic
    if not ranked:
        return (f"No course had {threshold} or more delegates completing both ratings, "
                "so no course is reported on its own.")
    text = ""
    if len(ranked) == 1:
        text = f"Only {_title(ranked[0])} had enough evaluations to report on its own ({course_changes(ranked[0])})."
    else:
        size = 2 if len(ranked) >= 4 else 1
        largest, smallest = ranked[:size], ranked[-size:]
        text = (f"The largest gains were on {wording.listing(f'{_title(c)} ({course_changes(c)})' for c in largest)}; "
                f"the smallest on {wording.listing(f'{_title(c)} ({course_changes(c)})' for c in smallest)}.")
    if left_out:
        verb, own = ("is", "its") if left_out == 1 else ("are", "their")
        text += (f" {wording.plural(left_out, 'course')} with fewer than {threshold} delegates completing both "
                 f"ratings {verb} not reported on {own} own.")
    rows = [[_title(c), count(policy, max(c["rows"][d]["n"] for d in DIMENSIONS)),
             *(wording.signed_points(c["rows"][d]["mean_change"]) for d in DIMENSIONS)] for c in ranked]
    text += "\n\n" + table(["Course", "Delegates (rounded)", *(label(d) for d in DIMENSIONS)], rows)
    return text


def uplift(figures, policy) -> Section:
    if not figures.uplift:
        return Section("Uplift", f"No pre- and post-training self-ratings were recorded in {figures.year}.")
    rows = disclosed_dimensions(policy, figures.uplift)
    n = max(row["n"] for row in figures.uplift.values())
    intro = ("On the evaluation form delegates rate their own knowledge, skills and confidence out of 10, "
             f"once before the course and once after it. In {figures.year}, {delegates(policy, n)} "
             "rated themselves both times.")
    if not rows:
        return Section("Uplift", intro + f" Fewer than {policy.min_n_for_statistic} delegates rated themselves "
                       "both times, too few to report an average.")
    paragraphs = [intro + " " + _changes_sentence(rows)]
    paragraphs.append(_uplift_table(figures.uplift, policy) + "\n\n"
                      "Average change: mean of after minus before, in points out of 10, with its 95% "
                      "confidence interval (CI); Improved: percentage rating themselves higher after "
                      "training.[^uplift]")
    for extra in (_net_sentence(rows, policy), _uplift_compare(figures, policy, rows)):
        if extra:
            paragraphs.append(extra)
    paragraphs.append(_courses(figures, policy))
    return Section("Uplift", "\n\n".join(paragraphs))


# -- impact -----------------------------------------------------------------------


def impact(figures, policy) -> Section:
    year = figures.year
    if not figures.followups:
        due = next(iter(figures.impact.values()), {}).get("due")
        reason = f": the follow-ups of the courses run in {year} are not yet due" if due == 0 else ""
        return Section("Impact", f"There was no follow-up survey this year{reason}.")
    any_row = next(iter(figures.impact.values()))
    answered = any_row["followups"]
    if answered < policy.min_n_for_statistic:
        return Section("Impact", f"Fewer than {policy.min_n_for_statistic} delegates answered the follow-up "
                       f"survey for {year}, too few to report its results.")
    paragraphs = []
    response = shown(policy, any_row, "response_rate", "followups")
    text = (f"The follow-up survey, sent some three months after each course, was answered by "
            f"{total(policy, answered)} of the {delegates(policy, any_row['due'])} to whom it was due")
    text += f" (a response rate of {wording.percent(response)})." if response is not None else "."
    used = shown(policy, any_row, "pct_used_learning", "followups")
    action = shown(policy, any_row, "pct_specific_action", "followups")
    if used is not None:
        text += (f" {wording.percent(used)} of respondents confirmed that they had used the learning in their "
                 "everyday work")
        text += (f", and 'taking specific action in the workplace' was reported by {wording.percent(action)}."
                 if action is not None else ".")
    elif action is not None:
        text += f" 'Taking specific action in the workplace' was reported by {wording.percent(action)}."
    paragraphs.append(text + "[^impact]")
    rows = []
    for answer, key in (("Used the learning in everyday work", "pct_used_learning"),
                        ("Took specific action in the workplace", "pct_specific_action")):
        value = shown(policy, any_row, key, "followups")
        if value is None:
            continue
        low, high = any_row.get(f"{key}_ci_low"), any_row.get(f"{key}_ci_high")
        interval = DASH if low is None else f"{wording.percent(low)} to {wording.percent(high)}"
        rows.append([answer, wording.percent(value), interval])
    if rows:
        paragraphs.append(table(["Follow-up answer", "Of respondents", "95% CI"], rows))
    retention = _retention(figures, policy)
    if retention:
        paragraphs.append(retention)
    gap = shown(policy, any_row, "nonresponse_gap", "followups")
    if gap is not None and wording.points(gap) != "0.0":
        paragraphs.append(
            f"Respondents had gained {wording.points(abs(gap))} "
            f"{'point' if wording.points(abs(gap)) == '1.0' else 'points'} "
            f"{'more' if gap > 0 else 'less'} on average straight after training than the delegates who did "
            f"not answer, so the survey may {'flatter' if gap > 0 else 'understate'} the programme's effect.")
    return Section("Impact", "\n\n".join(paragraphs))


def _retention(figures, policy) -> str:
    rows = {d: row for d, row in figures.impact.items()
            if shown(policy, row, "mean_followup", "rerated") is not None}
    if not rows:
        return ""
    held = [d for d, row in rows.items() if round(row["mean_followup"], 1) >= round(row["mean_post"], 1)]
    reduced = [d for d in rows if d not in held]
    detail = {d: f"{row['mean_post']:.1f} after training, {row['mean_followup']:.1f} at follow-up"
              for d, row in rows.items()}
    clauses = []
    if held:
        clauses.append(f"held at follow-up for {wording.listing(f'{d} ({detail[d]})' for d in held)}")
    if reduced:
        clauses.append(f"reduced after three months for {wording.listing(f'{d} ({detail[d]})' for d in reduced)}")
    n = max(row["rerated"] for row in rows.values())
    text = (f"Among the {delegates(policy, n, 'respondent')} who rated themselves again, the gains "
            + " but ".join(clauses) + ".")
    body = [[label(d), total(policy, row["rerated"]), f"{row['mean_pre']:.1f}", f"{row['mean_post']:.1f}",
             f"{row['mean_followup']:.1f}",
             or_dash(row.get("retention"), wording.percent_of_one)]
            for d, row in rows.items()]
    return text + "\n\n" + table(["Dimension", "Re-rated", "Before", "After", "Follow-up", "Gain retained"], body)


# -- voices -----------------------------------------------------------------------


def voices(figures, policy) -> Section:
    if not figures.quotes:
        return Section("Voices", f"No feedback with the delegate's consent to publish was recorded in {figures.year}.")
    lines = []
    for quote in figures.quotes:
        lines.append("> *" + escape_markdown(wording.curly_quoted(quote["quote"])) + "* "
                     + escape_markdown(wording.attribution(quote["role"], quote["title"])))
    return Section("Voices", "The training also received qualitative feedback from delegates (quoted with "
                   "their consent):\n\n" + "\n>\n".join(lines))


def charts_section(charts_drawn) -> Section:
    text = ("The charts below are saved beside this report as PNG and SVG files. They read in greyscale: "
            "series differ by shade and by hatching or marker shape.")
    return Section("Charts", text, charts_drawn)


# -- notes ------------------------------------------------------------------------


def notes(figures, policy) -> dict[str, str]:
    """The footnotes the sections refer to, by name."""
    where = f" of {figures.partnership}" if figures.partnership else ""
    return {
        "attendance": (
            "Attendance rate: attendances at the regular programme's sessions with a set number of places, as "
            "a percentage of those places (delegate spaces offered). Large events counted by headcount "
            "(festivals of learning, conferences, webinars, live briefings) have no register and are left out "
            "of it. Show rate: booked delegates who attended, as a percentage of bookings not cancelled. "
            "Participants are counted once per session attended; different people once each."),
        "cost": "Spend as recorded for the financial year, divided by the people and attendances it paid for.",
        "representation": (
            "People: different people from each sector who attended. Per 1,000 workforce: those from agencies "
            "whose workforce is known, per 1,000 of the sector's known workforce. Representation ratio: the "
            "sector's share of those delegates divided by its share of the known workforce of all agencies; "
            f"1 means participation in proportion to the workforce. Below {UNDER_REPRESENTED} a sector is "
            "named as under-represented: it sent at most four fifths of its proportionate share."),
        "uplift": (
            "Averages over the delegates who gave both ratings for a dimension. The confidence interval is for "
            "the mean change."),
        "net": ("Net score: the percentage of delegates rating themselves higher after training less the "
                "percentage rating themselves lower; -100 if everyone fell, +100 if everyone rose."),
        "impact": (
            "A follow-up is due once its window (about three months after the session) has opened, or as soon "
            "as it is answered. Response rate: answers as a percentage of follow-ups due. Percentages are of "
            "those who answered the question, with 95% Wilson score intervals."),
        "disclosure": (
            f"To protect individuals, counts for parts of the programme (sectors, courses, score distributions) "
            f"are rounded to the nearest {policy.rounding_base} and counts from 1 to {policy.min_count - 1} are "
            f"not shown; an average or percentage is shown only where at least {policy.min_n_for_statistic} "
            f"delegates contribute. Totals for the whole programme{where} "
            "and the headcounts of large events are given exactly, as published reports give them, unless "
            f"they are below {policy.min_count}."),
    }
