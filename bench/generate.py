"""A seeded synthetic training programme of any size, in the canonical CSV layout.

    python bench/generate.py OUT_DIR --records 1000000 [--seed 8]

writes ``partnerships.csv``, ``agencies.csv``, ``courses.csv``,
``sessions.csv``, ``delegates.csv``, ``bookings.csv``, ``evaluations.csv``,
``followups.csv`` and ``spend.csv`` with exactly ``--records`` evaluation
records. The shape follows a national pool: up to 150 partnerships over ten
financial years, sessions of about 20 evaluated delegates, each delegate
attending about three sessions, one extra booking (did not attend or
cancelled) for every six attended, and a follow-up survey from one delegate in
ten. Every file is written row by row, so the generator's memory does not grow
with ``--records``. The same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

FIRST_YEAR = 2014
YEARS = 10
SECTORS = ("police", "health", "la_children", "la_adults", "education", "early_years",
           "voluntary", "private", "probation", "fire", "ambulance", "other")
MODES = ("face_to_face", "virtual", "virtual", "face_to_face", "webinar", "e_learning")
TOPICS = ("Neglect", "Child sexual exploitation", "Domestic abuse", "Contextual safeguarding",
          "Online safety", "Harmful sexual behaviour", "Working together", "Mental health",
          "Criminal exploitation", "Parental substance misuse", "Disguised compliance", "Early help")
ACTIONS = ("Use the neglect toolkit with families", "Share the threshold guide with my team",
           "Record the child's voice in every assessment", "Escalate concerns using the policy",
           "Book onto the next level course", "Check in with the designated lead weekly",
           "Review my caseload for signs of exploitation", "Talk to my manager about supervision")
FIRST_NAMES = ("Amira", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Harry", "Isla", "Jamal",
               "Kate", "Liam", "Maya", "Noah", "Olu", "Priya", "Quinn", "Ruth", "Sam", "Tom")
LAST_NAMES = ("Patel", "Smith", "Jones", "Khan", "Brown", "Taylor", "Wilson", "Ahmed", "Evans",
              "Walker", "Green", "Hughes", "Singh", "Clarke", "Lewis", "Wood", "Hall", "Young")
ROLES = ("Social worker", "Health visitor", "Teacher", "Police officer", "School nurse",
         "Youth worker", "Designated safeguarding lead", "GP", "Family support worker", "Midwife")

EVALUATED_PER_SESSION = 20
SESSIONS_PER_DELEGATE = 3
EXTRA_BOOKING_EVERY = 6
FOLLOWUP_EVERY = 10


def shape(records: int) -> dict:
    """How many partnerships, sessions and delegates a programme of ``records`` evaluations has."""
    sessions = max(1, -(-records // EVALUATED_PER_SESSION))
    partnerships = max(1, min(150, sessions // (YEARS * 20)))
    delegates = max(EVALUATED_PER_SESSION * 2 * partnerships, records // SESSIONS_PER_DELEGATE)
    return {"partnerships": partnerships, "sessions": sessions, "delegates": delegates,
            "courses": 60, "agencies_per_partnership": 12}


def _writer(directory: Path, name: str, header: list[str]):
    handle = open(directory / f"{name}.csv", "w", newline="", encoding="utf-8")
    writer = csv.writer(handle)
    writer.writerow(header)
    return handle, writer


def generate(directory, records: int, seed: int = 8) -> dict:
    """Write the programme to ``directory``; returns the number of rows written per file."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    size = shape(records)
    counts = {}

    partnerships = [f"Partnership {number:03d}" for number in range(1, size["partnerships"] + 1)]
    handle, out = _writer(directory, "partnerships", ["name", "description"])
    for name in partnerships:
        out.writerow([name, f"Safeguarding Children Partnership {name[-3:]}"])
    handle.close()
    counts["partnerships"] = len(partnerships)

    handle, out = _writer(directory, "agencies", ["name", "sector", "workforce", "partnership"])
    agencies = {}
    for partnership in partnerships:
        agencies[partnership] = []
        for number, sector in enumerate(SECTORS, start=1):
            name = f"{partnership} {sector.replace('_', ' ').title()} {number}"
            agencies[partnership].append(name)
            out.writerow([name, sector, rng.randint(40, 4000), partnership])
    handle.close()
    counts["agencies"] = sum(map(len, agencies.values()))

    handle, out = _writer(directory, "courses", ["code", "title", "topic", "priority", "level", "duration_hours"])
    courses = []
    for number in range(1, size["courses"] + 1):
        topic = TOPICS[number % len(TOPICS)]
        code = f"C{number:03d}"
        courses.append(code)
        out.writerow([code, f"{topic}: level {number % 3 + 1} ({number})", topic,
                      "Neglect" if "Neglect" in topic else "", number % 3 + 1, (number % 4 + 1) * 1.5])
    handle.close()
    counts["courses"] = len(courses)

    per_partnership = size["delegates"] // len(partnerships)
    handle, out = _writer(directory, "delegates", ["email", "name", "role", "agency"])
    for index in range(per_partnership * len(partnerships)):
        first, last = FIRST_NAMES[index % 20], LAST_NAMES[(index // 20) % 18]
        partnership = partnerships[index // per_partnership]
        out.writerow([_email(index), f"{first} {last}", ROLES[index % len(ROLES)],
                      agencies[partnership][index % len(SECTORS)]])
    handle.close()
    counts["delegates"] = per_partnership * len(partnerships)

    files = {
        "sessions": _writer(directory, "sessions", ["code", "course", "date", "mode", "capacity",
                                                     "trainer", "partnership"]),
        "bookings": _writer(directory, "bookings", ["session", "email", "status", "walk_in"]),
        "evaluations": _writer(directory, "evaluations", [
            "session", "email", "knowledge_pre", "knowledge_post", "skills_pre", "skills_post",
            "confidence_pre", "confidence_post", "action_1", "action_2", "action_3"]),
        "followups": _writer(directory, "followups", [
            "session", "email", "date", "used_learning", "specific_action",
            "knowledge", "skills", "confidence", "comments"]),
    }
    counts.update(dict.fromkeys(files, 0))
    written = 0
    for number in range(size["sessions"]):
        evaluated = min(EVALUATED_PER_SESSION, records - written)
        if evaluated <= 0:
            break
        partnership_index = number % len(partnerships)
        partnership = partnerships[partnership_index]
        year = FIRST_YEAR + (number * YEARS) // size["sessions"]
        day = dt.date(year, 4, 1) + dt.timedelta(days=rng.randrange(365))
        code = f"S{number + 1:07d}"
        files["sessions"][1].writerow([code, rng.choice(courses), day.isoformat(), rng.choice(MODES),
                                       evaluated + 4, f"Trainer {rng.randrange(40)}", partnership])
        counts["sessions"] += 1
        extra = evaluated // EXTRA_BOOKING_EVERY
        extra += rng.random() < (evaluated % EXTRA_BOOKING_EVERY) / EXTRA_BOOKING_EVERY
        people = rng.sample(range(per_partnership), evaluated + extra)
        base = partnership_index * per_partnership
        for position, person in enumerate(people):
            email = _email(base + person)
            if position >= evaluated:
                files["bookings"][1].writerow([code, email, rng.choice(("did_not_attend", "cancelled")), ""])
                counts["bookings"] += 1
                continue
            walk_in = rng.random() < 0.02
            files["bookings"][1].writerow([code, email, "attended", "yes" if walk_in else ""])
            counts["bookings"] += 1
            files["evaluations"][1].writerow([code, email, *_scores(rng), *_actions(rng)])
            counts["evaluations"] += 1
            if rng.random() < 1 / FOLLOWUP_EVERY:
                files["followups"][1].writerow([
                    code, email, (day + dt.timedelta(days=90)).isoformat(),
                    "yes" if rng.random() < 0.8 else "no", "yes" if rng.random() < 0.65 else "no",
                    rng.randint(5, 10), rng.randint(5, 10), rng.randint(5, 10), ""])
                counts["followups"] += 1
        written += evaluated
    for handle, _ in files.values():
        handle.close()

    handle, out = _writer(directory, "spend", ["year", "partnership", "amount"])
    for partnership in partnerships:
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            out.writerow([f"{year}/{(year + 1) % 100:02d}", partnership, rng.randrange(20_000, 60_000)])
    handle.close()
    counts["spend"] = len(partnerships) * YEARS
    return counts


def _email(index: int) -> str:
    first, last = FIRST_NAMES[index % 20], LAST_NAMES[(index // 20) % 18]
    return f"{first.lower()}.{last.lower()}.{index}@agency{index % 97}.example.org"


def _scores(rng: random.Random) -> list:
    cells = []
    for _ in range(3):
        if rng.random() < 0.03:
            cells += ["", ""]
            continue
        before = rng.randint(2, 8)
        after = min(10, max(1, before + rng.choice((-1, 0, 1, 1, 2, 2, 2, 3, 3, 4))))
        cells += [before, after]
    return cells


def _actions(rng: random.Random) -> list:
    chosen = rng.sample(ACTIONS, 3)
    kept = rng.randint(0, 3)
    return chosen[:kept] + [""] * (3 - kept)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    for name, number in generate(args.directory, args.records, args.seed).items():
        print(f"{name}: {number:,}")


if __name__ == "__main__":
    main()
