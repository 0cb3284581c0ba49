"""Generate the SYNTHETIC sample data in src/scplearn/sample/ (see datasets/README.md).

    python datasets/generate.py [--out DIR] [--seed N]

Everything comes from ``random.Random(seed)``, so a seed always gives the same
files. Every row is checked with ``scplearn.model.build`` before it is written;
an invalid row stops the run. No person, email or agency here is real.

The main years are 2022/23 and 2023/24. Two earlier, smaller years (2020/21,
mostly virtual, and 2021/22) are drawn afterwards from their own random streams
and their rows appended, so the main years' rows are the same whether or not
they exist. Many of the earlier years' delegates are people who train again in
the main years; others trained only in 2020/21 and so are due a refresher by
the end of 2023/24.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
import statistics
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from scplearn import model  # noqa: E402
from scplearn.schema import TABLE_NAMES  # noqa: E402

CITY, COUNTY = "Leicester", "Leicestershire and Rutland"
PARTNERSHIPS = {CITY: "Safeguarding Children Partnership for the city of Leicester",
                COUNTY: "Safeguarding Children Partnership for Leicestershire and Rutland"}
SPEND = {("2022/23", CITY): 38500, ("2022/23", COUNTY): 44800,
         ("2023/24", CITY): 36900, ("2023/24", COUNTY): 41200,
         ("2020/21", CITY): 29800, ("2020/21", COUNTY): 33500,  # the earlier years, after the main ones
         ("2021/22", CITY): 34200, ("2021/22", COUNTY): 39600}

# code, title, topic, priority, level, hours, a key action delegates of this course write
COURSES = [
    ("CAS01", "Core Awareness in Safeguarding Children and Young People", "Core safeguarding", None, 1, 3, "Know who to contact at the children's front door"),
    ("CAS02", "Safeguarding Children: Advanced Practice", "Core safeguarding", "Voice of the child", 3, 6, "Review my open cases against the threshold guidance"),
    ("NEG01", "Neglect: Using the Graded Care Profile", "Neglect", "Neglect", 2, 6, "Use the neglect toolkit with families on my caseload"),
    ("NEG02", "Recognising Neglect", "Neglect", "Neglect", 1, 3, "Look at the home conditions checklist on visits"),
    ("CSE01", "Child Sexual Exploitation", "Exploitation", "Exploitation", 2, 3.5, "Complete the exploitation risk assessment when worried"),
    ("CCE01", "Child Criminal Exploitation and County Lines", "Exploitation", "Exploitation", 2, 3.5, "Submit intelligence forms about places of concern"),
    ("DAC01", "Domestic Abuse and Children", "Domestic abuse", "Domestic abuse", 2, 6, "Use the risk checklist and refer to the specialist service"),
    ("WTR01", "Working Together: Roles and Responsibilities", "Multi-agency working", "Early help", 2, 3, "Invite partner agencies to strategy discussions"),
    ("HSB01", "Harmful Sexual Behaviour", "Harmful sexual behaviour", "Exploitation", 3, 6, "Use the behaviour continuum tool before deciding next steps"),
    ("CTX01", "Contextual Safeguarding", "Exploitation", "Exploitation", 3, 3.5, "Map peer groups and places in my assessments"),
    ("PCU01", "Professional Curiosity", "Professional curiosity", "Voice of the child", 2, 3, "Ask about every adult living in the household"),
    ("SSL01", "Safer Sleep", "Safer sleep", "Early help", 1, 2, "Talk to parents about safer sleep at every visit"),
    ("ESC01", "Escalation and Resolving Professional Disagreements", "Multi-agency working", None, 2, 2.5, "Use the escalation policy when I disagree with a decision"),
    ("VOC01", "Hearing the Voice of the Child", "Voice of the child", "Voice of the child", 2, 3, "Record children's own words in my notes"),
    ("EHA01", "Early Help Assessment and the Team Around the Family", "Early help", "Early help", 2, 3, "Start an early help assessment sooner"),
    ("PMH01", "Parental Mental Health, Substance Misuse and Children", "Parental vulnerabilities", "Neglect", 2, 3.5, "Ask parents about their own support needs"),
    ("FGM01", "Female Genital Mutilation and Honour-Based Abuse", "Female genital mutilation", "Exploitation", 3, 3, "Follow the mandatory reporting duty"),
    ("SUP01", "Safeguarding Supervision for Managers", "Supervision", None, 4, 6, "Book reflective supervision with my team every month"),
    ("FOL01", "Festival of Learning", "Learning from reviews", None, None, 6, None),
    ("LCR01", "Learning from Child Safeguarding Practice Reviews", "Learning from reviews", "Voice of the child", None, 1.5, None),
    ("WTB01", "Working Together 2023: What Has Changed", "Multi-agency working", "Early help", None, 1.5, None),
    ("CON01", "Annual Safeguarding Children Conference", "Learning from reviews", None, None, 6, None),
]
TOPIC = {code: topic for code, _, topic, *_ in COURSES}
ACTION = {row[0]: row[-1] for row in COURSES}
LEVEL = {row[0]: row[4] for row in COURSES}
# how often each regular course runs, relative to the others
REGULAR = {"CAS01": 9, "CAS02": 2, "NEG01": 4, "NEG02": 2, "CSE01": 3, "CCE01": 2, "DAC01": 4, "WTR01": 3,
           "HSB01": 2, "CTX01": 2, "PCU01": 3, "SSL01": 2, "ESC01": 1, "VOC01": 2, "EHA01": 2, "PMH01": 2}
YEARS = {  # regular sessions, total capacity, attended, mean gain in knowledge/skills/confidence
    "2022/23": dict(sessions=65, capacity=2080, attended=1661, gain=(2.1, 2.0, 2.2)),
    "2023/24": dict(sessions=46, capacity=1600, attended=1286, gain=(2.3, 2.1, 2.4)),
}
# The chance of each mode (face to face, virtual, e-learning) for level 1 courses and for the others
MODE_WEIGHTS = ((40, 30, 30), (58, 37, 5))
EARLIER_YEARS = {  # smaller programmes before the main years, drawn after them (see add_earlier_years)
    "2020/21": dict(sessions=25, capacity=960, attended=736, gain=(1.8, 1.7, 1.9),
                    modes=((4, 66, 30), (6, 90, 4))),  # mostly virtual
    "2021/22": dict(sessions=35, capacity=1190, attended=931, gain=(2.0, 1.9, 2.1),
                    modes=((25, 45, 30), (40, 55, 5))),
}
RETURNING = {  # of an earlier year's bookings, the share by people who also book in (a pool of) other years
    "2020/21": {"main": 0.35},
    "2021/22": {"main": 0.35, "2020/21": 0.12},
}
EARLIER_QUOTES = 30  # feedback quotes from the earlier years' delegates
SMALL = {"2022/23": [("FGM01", 12, 7), ("SUP01", 10, 6)]}  # course, capacity, attended: under 8 evaluations
EVENTS = {  # headcount-only events: course, date, mode, capacity, headcount, host
    "2022/23": [("CON01", "2022-10-13", "conference", 250, 231, COUNTY), ("LCR01", "2023-02-08", "webinar", None, 187, CITY)],
    "2023/24": [("FOL01", "2023-06-20", "festival", 300, 284, COUNTY), ("LCR01", "2023-11-15", "webinar", None, 198, CITY),
                ("WTB01", "2024-01-24", "briefing", None, 158, COUNTY)],
    "2020/21": [("LCR01", "2021-02-10", "webinar", None, 142, CITY)],
    "2021/22": [("CON01", "2021-10-14", "conference", 200, 176, COUNTY), ("LCR01", "2022-02-09", "webinar", None, 165, CITY)],
}
CAPACITY = {"face_to_face": (20, 24, 25, 30, 30, 35), "virtual": (30, 35, 40, 40, 45, 50), "e_learning": (40, 50, 60)}
TRAINERS = ["Hannah Whitcombe", "Darren Oakley", "Meera Solanki", "Gillian Ashworth", "Tunde Bakare",
            "Rosalind Pryce", "Partnership training team"]
SESSION_FIELDS = ("code", "course", "date", "mode", "capacity", "trainer", "partnership")
FOLLOW_UP_CUTOFF = dt.date(2024, 3, 31) - dt.timedelta(weeks=12)  # sessions late enough have no follow-up yet


# kind of agency -> its sector and the roles of its staff
KINDS = {
    "police": ("police", ["Police Constable", "Detective Constable", "Police Sergeant", "Police Community Support Officer"]),
    "acute": ("health", ["Staff Nurse", "Paediatric Nurse", "Midwife", "Emergency Department Doctor", "Healthcare Assistant"]),
    "community": ("health", ["Health Visitor", "School Nurse", "Community Nurse", "Mental Health Practitioner",
                             "Safeguarding Nurse Specialist"]),
    "gp": ("health", ["GP", "Practice Nurse", "Practice Manager", "Receptionist"]),
    "school": ("education", ["Designated Safeguarding Lead", "Class Teacher", "Teaching Assistant", "Head of Year",
                             "Pastoral Support Worker", "SENCo"]),
    "nursery": ("early_years", ["Pre-School Assistant", "Nursery Practitioner", "Nursery Manager", "Childminder"]),
    "csc": ("la_children", ["Social Worker", "Senior Social Worker", "Family Support Worker", "Team Manager",
                            "Early Help Practitioner"]),
    "asc": ("la_adults", ["Adult Social Worker", "Occupational Therapist", "Care Coordinator"]),
    "vcs": ("voluntary", ["Youth Worker", "Support Worker", "Volunteer Coordinator", "Domestic Abuse Advocate"]),
    "private": ("private", ["Residential Care Worker", "Registered Manager", "Sports Coach", "Supervising Social Worker"]),
    "probation": ("probation", ["Probation Officer", "Probation Services Officer"]),
    "fire": ("fire", ["Firefighter", "Fire Safety Officer", "Community Safety Advisor"]),
    "ambulance": ("ambulance", ["Paramedic", "Emergency Care Assistant", "Call Handler"]),
    "housing": ("other", ["Housing Officer", "Community Safety Officer", "Tenancy Support Worker"]),
}
# name, workforce (None: not known), partnership, kind; all invented
AGENCIES = [
    ("Police: City Local Policing Area", 780, CITY, "police"), ("Police: County Local Policing Area", 1150, COUNTY, "police"),
    ("Police: Public Protection Unit", 310, COUNTY, "police"), ("City Hospitals NHS Trust", 4200, CITY, "acute"),
    ("Community Health Partnership NHS Trust", 2600, COUNTY, "community"),
    ("Integrated Care Board Safeguarding Team", 45, CITY, "community"),
    ("Belgrave Road Medical Practice", 38, CITY, "gp"), ("Highfields Family Practice", 31, CITY, "gp"),
    ("Fosse Way Surgery", 24, COUNTY, "gp"), ("Charnwood Vale Health Centre", 52, COUNTY, "gp"),
    ("Oakham Lodge Medical Group", None, COUNTY, "gp"), ("Abbeymead Primary School", 46, CITY, "school"),
    ("Braunstone Oaks Academy", 88, CITY, "school"), ("Riverside Community College", 140, CITY, "school"),
    ("City College of Further Education", 520, CITY, "school"), ("Harborough Learning Trust", 610, COUNTY, "school"),
    ("Hollycroft Meadow Primary School", 34, COUNTY, "school"), ("Kingfisher Vale Academy", 95, COUNTY, "school"),
    ("Ashbourne House Special School", 72, COUNTY, "school"), ("Little Acorns Day Nursery", 22, CITY, "nursery"),
    ("Tiny Steps Nursery and Forest School", 28, CITY, "nursery"), ("Sunflower Pre-School", 9, COUNTY, "nursery"),
    ("Buttercup Childcare", 16, COUNTY, "nursery"), ("County Childminder Network", None, COUNTY, "nursery"),
    ("City Council Children's Social Care", 980, CITY, "csc"), ("City Early Help Service", 160, CITY, "csc"),
    ("City Youth Justice Service", 60, CITY, "csc"), ("County Council Children and Family Services", 1350, COUNTY, "csc"),
    ("Rutland Children's Services", 120, COUNTY, "csc"), ("City Council Adult Social Care", 720, CITY, "asc"),
    ("County Council Adults and Communities", 1100, COUNTY, "asc"), ("Harbour Women's Aid", 35, CITY, "vcs"),
    ("Family Lifeline Trust", 27, CITY, "vcs"), ("Open Door Refugee Support", None, CITY, "vcs"),
    ("Youth Horizons", 48, COUNTY, "vcs"), ("Rutland Young Carers Project", 11, COUNTY, "vcs"),
    ("St Anselm's Parish Youth Club", None, COUNTY, "vcs"), ("Meadowbank Fostering Agency", 40, CITY, "private"),
    ("Brightpath Residential Care", 64, COUNTY, "private"), ("Premier Pitch Sports Coaching", 18, COUNTY, "private"),
    ("Probation Service: City Delivery Unit", 210, CITY, "probation"),
    ("Probation Service: County Delivery Unit", 260, COUNTY, "probation"),
    ("Fire and Rescue Service", 820, COUNTY, "fire"), ("Regional Ambulance Service: East Division", 640, COUNTY, "ambulance"),
    ("Clearwater Housing Association", 230, CITY, "housing"), ("District Council Community Safety Team", 85, COUNTY, "housing"),
]
FIRST = ("Priya Aarav Fatima Mohammed Anjali Ravi Sunita Imran Aisha Kiran Deepak Nisha Yusuf Hema Jaspreet "
         "Zoë José Siobhán Chloé Renée Noémie Agnieszka Tomasz Oluwaseun Chidi Amara Kwame Bogdan Ioana "
         "Emma Olivia Sophie Hannah Rebecca Laura Sarah Claire Gemma Rachel Jessica Lucy Katie Jodie Bethany "
         "Daniel James Thomas Matthew Liam Ryan Adam Paul Stephen Gareth Craig Connor Owen Rhys Nathan").split()
LAST = ("Smith Patel Jones Khan Williams Mistry Taylor Begum Brown Chauhan Davies Hussain Evans Kaur Wilson "
        "Singh Thomas Parmar Johnson Ahmed Roberts Walker Ali Wright Lewis Clarke Hughes Edwards Mensah "
        "Okafor Kowalski Nowak O'Brien O'Connor D'Souza N'Diaye Fernández Müller Popescu Lloyd-Jones Gallagher "
        "Shah Mahmood Bailey Harrison Chapman Pearson Sharma Rahman Kelly Murphy").split()
ACTIONS = ["Share the learning with my team at our next meeting", "Review our safeguarding policy",
           "Check the threshold document before making a referral", "Speak to our safeguarding lead sooner",
           "Ask more questions when something does not add up", "Keep chronologies up to date",
           "Read the local practice review summaries", "Update the referral flowchart in our office",
           "Book onto the next level of training", "Contact the early help hub for advice",
           "Record the reasons for my decisions more clearly", "Attend multi-agency meetings in person"]
COMMENTS = ["I used the toolkit with two families and it helped structure my assessment.",
            "Shared the slides in our team meeting and we changed our referral checklist.",
            "I felt more confident challenging a decision I did not agree with.",
            "Have not had a case where it applied yet.", "Workload has made it hard to put into practice.",
            "I now ask to see where the baby sleeps on every home visit.",
            "Used the escalation policy for the first time and it worked.",
            "I refer to the handouts regularly.", "Would welcome a refresher in a year."]
QUOTE_TEMPLATES = ["Really useful refresher on {t}; I will be sharing the resources with my team.",
                   "I feel far more confident about {t} and what to do when I am worried about a child.",
                   "The case studies on {t} made it feel real and relevant to my role.",
                   "Hearing how other agencies approach {t} was the most valuable part of the day.",
                   "I came away with practical tools on {t} that I can use straight away.",
                   "Good pace and a knowledgeable trainer; {t} feels much less daunting now."]
QUOTES = ["The trainer created a safe space to ask questions I would normally keep to myself.",
          "Meeting colleagues from police, health and schools in one room really helped.",
          "Would have liked more time for the group discussions.", "It has changed how I record what children tell me.",
          "Too much content for the time available, but very relevant to my work.",
          "I now know exactly who to call and when to escalate.", "Clear, practical and grounded in local procedures.",
          "A bit basic for my role, but a useful reminder of the thresholds.",
          "The learning from local reviews was sobering and has stayed with me."]


def clip(value, low=1, high=10):
    """``value`` held within [low, high] (scores are 1 to 10)."""
    return max(low, min(high, value))


def ascii_word(text: str) -> str:
    """``O'Brien`` -> ``obrien``, ``Zoë`` -> ``zoe``: for email addresses and name checks."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def agency_domain(name: str, sector: str) -> str:
    """``cityhospitals.example.org``: its first three significant words, on a reserved domain."""
    stop = {"", "the", "and", "of", "nhs", "trust", "service", "services", "s"}
    slug = "".join([ascii_word(w) for w in name.split() if ascii_word(w) not in stop][:3])
    return f"{slug}.{'example.net' if sector in ('voluntary', 'private') else 'example.org'}"


class People:
    """Made-up delegates, some of whom come back for another course."""

    def __init__(self, rng: random.Random):
        self.rng, self.rows, self.courses = rng, [], {}
        self.weights = [(workforce or 30) ** 0.6 for _, workforce, _, _ in AGENCIES]
        self.domains = [agency_domain(name, KINDS[kind][0]) for name, _, _, kind in AGENCIES]
        if len(set(self.domains)) != len(self.domains):
            raise ValueError(f"agency email domains collide: {self.domains}")

    def new(self) -> dict:
        index = self.rng.choices(range(len(AGENCIES)), self.weights)[0]
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        base, number = f"{ascii_word(first)}.{ascii_word(last)}", 1
        while (email := f"{base}{number if number > 1 else ''}@{self.domains[index]}") in self.courses:
            number += 1
        person = dict(email=email, name=f"{first} {last}", role=self.rng.choice(KINDS[AGENCIES[index][3]][1]),
                      agency=AGENCIES[index][0])
        self.rows.append(person)
        self.courses[email] = set()
        return person

    def pick(self, course: str, taken: set, pools=None) -> dict:
        """Someone new, or (a quarter of the time) a returning delegate new to this course.

        ``pools``, a list of (share, people), replaces the quarter: with each share's chance, someone
        from that pool, if they are new to the course and not yet on this session; otherwise someone new.
        """
        if pools is None:
            person = self.new() if self.rng.random() > 0.25 or not self.rows else self.rng.choice(self.rows)
        else:
            roll, person = self.rng.random(), None
            for share, pool in pools:
                if roll < share:
                    person = self.rng.choice(pool)
                    break
                roll -= share
            person = person or self.new()
        while person["email"] in taken or course in self.courses[person["email"]]:
            person = self.new()
        taken.add(person["email"])
        self.courses[person["email"]].add(course)
        return person


def share_out(rng, total, weights, low, high):
    """Whole numbers in proportion to ``weights`` within [low, high], summing exactly to ``total``."""
    scale = total / sum(weights)
    counts = [clip(round(w * scale), low, h) for w, h in zip(weights, high)]
    while diff := total - sum(counts):
        i, step = rng.randrange(len(counts)), (1 if diff > 0 else -1)
        if low <= counts[i] + step <= high[i]:
            counts[i] += step
    return counts


def plan_sessions(rng, year: str, spec: dict) -> list[dict]:
    """The year's regular sessions: course, date, mode, capacity, host and how many attended."""
    small = SMALL.get(year, [])
    count = spec["sessions"] - len(small)
    weights = spec.get("modes", MODE_WEIGHTS)
    courses = list(REGULAR) + rng.choices(list(REGULAR), list(REGULAR.values()), k=count - len(REGULAR))
    modes = [rng.choices(("face_to_face", "virtual", "e_learning"), weights[LEVEL[c] != 1])[0] for c in courses]
    capacity = share_out(rng, spec["capacity"] - sum(c for _, c, _ in small),
                         [rng.choice(CAPACITY[m]) for m in modes], 15, [60] * count)
    attended = share_out(rng, spec["attended"] - sum(a for *_, a in small),
                         [c * rng.uniform(0.7, 0.95) for c in capacity], 4, capacity)
    plan = [dict(course=c, mode=m, capacity=k, attended=a) for c, m, k, a in zip(courses, modes, capacity, attended)]
    plan += [dict(course=c, mode="face_to_face", capacity=k, attended=a) for c, k, a in small]
    rng.shuffle(plan)
    start, codes = dt.date(int(year[:4]), 4, 1), set()
    for i, session in enumerate(plan):
        day = start + dt.timedelta(days=int((i + rng.random()) * 360 / len(plan)))
        if (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 3):
            day += dt.timedelta(days=14)
        while day.weekday() >= 5:  # weekends on to Monday
            day += dt.timedelta(days=1)
        if model.values.year_of(day) != year:
            raise ValueError(f"session date {day} fell outside {year}")
        code = f"{session['course']}-{day:%y%m%d}"
        while code in codes:  # the same course twice on one day
            code += "b"
        codes.add(code)
        session.update(code=code, date=day, trainer=rng.choice(TRAINERS),
                       partnership=rng.choices((CITY, COUNTY), (45, 55))[0])
    return sorted(plan, key=lambda s: (s["date"], s["code"]))


def binomial(rng, n, p):
    return sum(rng.random() < p for _ in range(n))


def ratings(rng, gains) -> dict:
    """Pre and post self-ratings; most improve, some stay the same, a few fall."""
    row, base = {}, rng.gauss(5.6, 1.4)
    for dimension, gain, offset in zip(model.DIMENSIONS, gains, (0, 0.2, -0.3)):
        pre, roll = clip(round(base + offset + rng.gauss(0, 0.8)), 1, 9), rng.random()
        change = -rng.choice((1, 1, 2)) if roll < 0.03 else 0 if roll < 0.125 else max(1, round(rng.gauss(gain + 0.53, 1.1)))
        row[f"{dimension}_pre"], row[f"{dimension}_post"] = pre, clip(pre + change)
    if rng.random() < 0.03:
        row[rng.choice(model.DIMENSIONS) + "_pre"] = None
    if rng.random() < 0.025:
        row.update({f"{d}_post": None for d in model.DIMENSIONS})
    return row


def calibrate(rng, evaluations, gains) -> None:
    """Nudge post-ratings until each dimension's mean change is the year's target gain.

    The random draws land near the targets (2.27 for a target of 2.3, say), not on them. For
    each dimension, over the evaluations with both ratings, this moves one post-rating at a
    time by one point until the total change is ``round(gain * n)``, so the mean is within
    half a point in ``n`` of the target. Only improved ratings move: up if the post-rating is
    below 10, down if it would still be above the pre-rating. So ratings stay within 1 to 10
    and the shares improved, unchanged and worse (and the net score) stay as drawn.
    Follow-ups were drawn before this, from the ratings as first drawn.
    """
    for dimension, gain in zip(model.DIMENSIONS, gains):
        pre, post = f"{dimension}_pre", f"{dimension}_post"
        pairs = [row for row in evaluations if row[pre] is not None and row[post] is not None]
        total, goal = sum(row[post] - row[pre] for row in pairs), round(gain * len(pairs))
        while total != goal:
            step = 1 if total < goal else -1
            row = rng.choice([row for row in pairs if row[pre] < row[post] + step <= 10 and row[post] > row[pre]])
            row[post] += step
            total += step


def generate_rows(seed: int = 2024) -> dict:
    """Every table's rows (field name → value), before validation."""
    rng, people = random.Random(seed), People(random.Random(seed + 1))
    tables = {cls: [] for cls in model.RECORD_TYPES}
    tables[model.Partnership] = [dict(name=n, description=d) for n, d in PARTNERSHIPS.items()]
    tables[model.Agency] = [dict(name=n, sector=KINDS[k][0], workforce=w, partnership=p) for n, w, p, k in AGENCIES]
    tables[model.Course] = [dict(code=c, title=t, topic=tp, priority=p, level=lv, duration_hours=h)
                            for c, t, tp, p, lv, h, _ in COURSES]
    tables[model.Spend] = [dict(year=y, partnership=p, amount=a) for (y, p), a in SPEND.items()]
    evaluated = []  # (session, person, ratings) of every evaluation, for the feedback quotes
    nudges = random.Random(seed + 2)  # its own stream, so calibrating moves nothing but post-ratings
    for year, spec in YEARS.items():
        add_year(rng, nudges, year, spec, people, tables, evaluated)
    tables[model.Delegate] = people.rows
    tables[model.Feedback] = feedback(rng, evaluated)
    add_earlier_years(seed, people, tables)
    return tables


def add_year(rng, nudges, year, spec, people, tables, evaluated, pools=None) -> None:
    """A year's regular sessions with their bookings, evaluations and follow-ups, then its headcount-only events."""
    first = len(tables[model.Evaluation])
    for session in plan_sessions(rng, year, spec):
        tables[model.Session].append({k: session[k] for k in SESSION_FIELDS})
        book_session(rng, session, spec["gain"], people, tables, evaluated, pools)
    calibrate(nudges, tables[model.Evaluation][first:], spec["gain"])
    for course, date, mode, capacity, headcount, host in EVENTS[year]:
        day = dt.date.fromisoformat(date)
        tables[model.Session].append(dict(code=f"{course}-{day:%y%m%d}", course=course, date=day, mode=mode,
                                          capacity=capacity, trainer="Partnership business unit",
                                          partnership=host, headcount=headcount))


def add_earlier_years(seed, people, tables) -> None:
    """Append 2020/21 and 2021/22 (``EARLIER_YEARS``) to ``tables``, leaving the main years' rows as they are.

    They draw from their own random streams (seed + 2020 to seed + 2022), so adding them changes
    nothing drawn for the main years. Each booking is, with the shares in ``RETURNING``, by someone
    who also books in the main years ("main") or in an earlier year, and otherwise by someone new, who
    is appended to the delegates. So some people train only in 2020/21, and by the end of 2023/24 they
    are due a refresher.
    """
    rng, nudges = random.Random(seed + 2020), random.Random(seed + 2022)
    people.rng = random.Random(seed + 2021)  # new delegates and returning ones, from now on
    sources, evaluated = {"main": list(people.rows)}, []
    for year, spec in EARLIER_YEARS.items():
        before = len(people.rows)
        pools = [(share, sources[source]) for source, share in RETURNING[year].items()]
        add_year(rng, nudges, year, spec, people, tables, evaluated, pools)
        sources[year] = people.rows[before:]  # the people who first came in this year
    tables[model.Feedback] += feedback(rng, evaluated, count=EARLIER_QUOTES, naming=False)


def book_session(rng, session, gains, people, tables, evaluated, pools=None) -> None:
    """Bookings (some cancelled or no-shows, a few walk-ins), evaluations and follow-ups of one session.

    ``pools`` says who returns (see ``People.pick``)."""
    walk_ins = 0 if session["mode"] == "e_learning" else min(rng.choice((0, 0, 0, 1, 1, 2)), session["attended"] - 1)
    booked = session["attended"] - walk_ins
    no_shows = min(binomial(rng, booked, 0.1), session["capacity"] - session["attended"])
    statuses = (["attended"] * booked + ["did_not_attend"] * no_shows
                + ["cancelled"] * binomial(rng, booked, 0.07) + ["walk_in"] * walk_ins)
    taken = set()
    for status in statuses:
        person = people.pick(session["course"], taken, pools)
        email = person["email"]
        if rng.random() < 0.02:  # as typed into a booking form; the importer folds case
            email = email.upper() if rng.random() < 0.3 else email.title()
        tables[model.Booking].append(dict(session=session["code"], email=email, walk_in=status == "walk_in",
                                          status="attended" if status == "walk_in" else status))
        if status not in ("attended", "walk_in"):
            continue
        row = {}
        if rng.random() < 0.8:
            row = ratings(rng, gains)
            actions = [ACTION[session["course"]]] + rng.sample(ACTIONS, 2)
            written = rng.choices((0, 1, 2, 3), (30, 30, 25, 15))[0]  # how many key actions this delegate wrote
            row.update({f"action_{n}": actions[n - 1] if n <= written else None for n in (1, 2, 3)})
            tables[model.Evaluation].append(dict(session=session["code"], email=person["email"], **row))
            evaluated.append((session, person, row))
        if session["date"] <= FOLLOW_UP_CUTOFF and rng.random() < 0.4:
            tables[model.FollowUp].append(follow_up(rng, session, person, row))


def follow_up(rng, session, person, evaluation: dict) -> dict:
    """The impact survey about three months on: gains partly fade."""
    row = dict(session=session["code"], email=person["email"],
               date=session["date"] + dt.timedelta(days=rng.randint(84, 100)), used_learning=rng.random() < 0.8)
    row["specific_action"] = rng.random() < (0.78 if row["used_learning"] else 0.15)
    for dimension in model.DIMENSIONS:
        pre, post = evaluation.get(f"{dimension}_pre"), evaluation.get(f"{dimension}_post")
        if pre is not None and post is not None:
            row[dimension] = clip(round(pre + (post - pre) * rng.uniform(0.5, 0.95) + rng.gauss(0, 0.5)))
        else:
            row[dimension] = clip(round(rng.gauss(7, 1.3)))
    if rng.random() < 0.12:
        row.update(dict.fromkeys(model.DIMENSIONS))
    row["comments"] = rng.choice(COMMENTS) if rng.random() < 0.35 else None
    return row


QUOTED_COURSES = ("CAS01", "NEG01", "DAC01", "CSE01", "WTR01", "PCU01")
"""The regular courses delegates leave feedback on: often enough that each year's quotes of a course can be
published (the public database publishes a course's quotes only when enough delegates consented)."""
NAMING = "Working through the case with {first} from the {role} team made it click; call me on 07700 900123 or " \
         "write to {email} if you want the notes."
"""A consented quote naming another delegate, with a phone number and an email: publishing replaces all three."""


def feedback(rng, evaluated, count=220, naming=True) -> list[dict]:
    """``count`` quotes from evaluated delegates of the most often run regular courses; two thirds consent to
    publication. With ``naming``, one consented quote names a delegate, a phone number and an email, as quotes
    sometimes do."""
    options = [(s, p) for s, p, _ in evaluated if s["course"] in QUOTED_COURSES]
    rows, used = [], set()
    while len(rows) < count:
        session, person = rng.choice(options)
        quote = rng.choice(QUOTES) if rng.random() < 0.3 else \
            rng.choice(QUOTE_TEMPLATES).format(t=TOPIC[session["course"]].lower())
        if (session["code"], quote) in used:
            continue
        used.add((session["code"], quote))
        rows.append(dict(course=session["course"], quote=quote, role=person["role"],
                         consent=rng.random() < 2 / 3, session=session["code"]))
    names = {ascii_word(word) for name in FIRST + LAST for word in name.split("-")}
    for row in rows:
        if names & {ascii_word(word) for word in row["quote"].split()}:
            raise ValueError(f"a feedback quote contains a name: {row['quote']!r}")
    if not naming:
        return rows
    session, person = options[0]
    colleague = options[1][1]
    rows[0] = dict(course=session["course"], role=person["role"], consent=True, session=session["code"],
                   quote=NAMING.format(first=colleague["name"].split()[0], role=colleague["role"].lower(),
                                       email=colleague["email"]))
    return rows


def cell(value) -> str:
    """As the canonical layout writes it: blank, yes/no, ISO date, 3.5 (not 3.0)."""
    if value is None or isinstance(value, bool):
        return {None: "", True: "yes", False: "no"}[value]
    return f"{value:g}" if isinstance(value, float) else value.isoformat() if isinstance(value, dt.date) else str(value)


def generate(out_dir, seed: int = 2024) -> dict:
    """Write one CSV per table into ``out_dir``; returns the validated records by type.

    Every row is built with ``model.build`` first; if any is invalid, ValueError is
    raised and no file is written.
    """
    texts, records = {}, {}
    tables = generate_rows(seed)
    tables.update(resource_rows(seed, tables))
    for cls, rows in tables.items():
        # Fields the sample leaves at their defaults (an agency listed by hand is verified) are not written.
        fields = [attribute.name for attribute in cls.__attrs_attrs__ if any(attribute.name in row for row in rows)]
        texts[cls] = [{field: cell(row.get(field)) for field in fields} for row in rows]
        records[cls] = []
        for number, row in enumerate(texts[cls], start=2):
            record, problems = model.build(cls, row)
            if record is None:
                raise ValueError(f"invalid {TABLE_NAMES[cls]}.csv row {number}: {row}: {problems}")
            records[cls].append(record)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for cls, rows in texts.items():
        with open(out_dir / f"{TABLE_NAMES[cls]}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return records


def summary(records) -> str:
    """A line per year of the figures the sample was shaped to reproduce (see README.md)."""
    sessions = {s.code: s for s in records[model.Session]}
    lines = []
    for year in sorted({s.year for s in sessions.values()}):
        regular = [s for s in sessions.values() if s.year == year and s.headcount is None]
        events = [s for s in sessions.values() if s.year == year and s.headcount is not None]
        attended = [b for b in records[model.Booking] if sessions[b.session].year == year and b.status == "attended"]
        evaluations = [e for e in records[model.Evaluation] if sessions[e.session].year == year]
        changes = []
        for d in model.DIMENSIONS:
            pairs = [(getattr(e, d + "_pre"), getattr(e, d + "_post")) for e in evaluations]
            changes.append(f"{d} {statistics.mean(b - a for a, b in pairs if a and b):+.2f}")
        followups = sum(sessions[f.session].year == year for f in records[model.FollowUp])
        lines.append(f"{year}: {len(regular)} regular sessions, capacity {sum(s.capacity for s in regular)}, "
                     f"{len(attended)} attended ({len({b.email for b in attended})} people, "
                     f"{sum(b.walk_in for b in attended)} walk-ins); {len(events)} headcount-only events, "
                     f"headcount {sum(s.headcount for s in events)}; {len(evaluations)} evaluations "
                     f"(mean change {', '.join(changes)}); {followups} follow-ups")
    return "\n".join(lines)


# Learning resources: courses with no session register, reached by viewing or downloading them.
# code, title, kind, course, topic, partnership, published, platform, views a month when first out
RESOURCES = [
    ("PACK-NEG", "Neglect resource pack and Graded Care Profile toolkit", "resource_pack", "NEG01", "Neglect", COUNTY,
     "2022-04-04", "sharepoint", 140),
    ("PACK-DAC", "Domestic abuse and children: practitioner toolkit", "resource_pack", "DAC01", "Domestic abuse", CITY,
     "2022-09-12", "sharepoint", 95),
    ("EL-CAS01", "Core Awareness in Safeguarding Children: e-learning", "e_learning", "CAS01", "Core safeguarding", None,
     "2022-04-01", "lms", 210),
    ("EL-FGM01", "Female genital mutilation awareness: e-learning", "e_learning", "FGM01", "Female genital mutilation",
     None, "2023-01-09", "lms", 60),
    ("BRF-CCE", "7 minute briefing: county lines", "briefing", None, "Exploitation", CITY, "2022-06-20", "web", 80),
    ("BRF-LCR", "7 minute briefing: learning from a practice review", "briefing", "LCR01", "Learning from reviews",
     COUNTY, "2023-05-15", "web", 120),
    ("POD-SSL", "Safeguarding conversations podcast: safer sleep", "podcast", "SSL01", "Safer sleep", None,
     "2022-11-07", "web", 45),
    ("WEB-ESC", "Escalation policy and resolving professional disagreements", "web_page", "ESC01",
     "Multi-agency working", None, "2022-04-01", "web", 160),
    ("DOC-THR", "Threshold guidance for practitioners", "document", None, "Multi-agency working", COUNTY,
     "2022-04-01", "sharepoint", 230),
    ("youtube", "Working Together 2023: what has changed (recorded briefing)", "recording", "WTB01",
     "Multi-agency working", None, "2023-12-18", "youtube", 260),
    ("youtube", "Learning from practice reviews: the annual conference keynote", "recording", "CON01",
     "Learning from reviews", None, "2022-10-10", "youtube", 150),
    ("youtube", "Hearing the voice of the child (animation)", "video", "VOC01", "Voice of the child", CITY,
     "2022-05-03", "youtube", 190),
]
RESOURCE_COMMENTS = [
    "Shared it at our team meeting", "Used the checklist with a family", "Handy to refresh before a strategy meeting",
    "Too long to watch in one go", "Gave it to new starters", "Changed how I record the child's words",
    "Used the escalation flowchart when I disagreed with a decision",
]
RESOURCE_YEARS_FROM, RESOURCE_YEARS_TO = dt.date(2022, 4, 1), dt.date(2024, 3, 31)


def resource_rows(seed: int, tables: dict) -> dict:
    """Resources, their monthly access counts and follow-up answers, from their own random stream (so the
    other tables' rows are the same with or without them)."""
    rng = random.Random(seed + 77)
    resources = []
    for code, title, kind, course, topic, partnership, published, platform, level in RESOURCES:
        if code == "youtube":
            video = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
                            for _ in range(11))
            code, url = f"youtube:{video}", f"https://www.youtube.com/watch?v={video}"
        else:
            url = f"https://safeguarding.example.org/resources/{code.lower()}"
        priority = next((row[3] for row in COURSES if row[0] == course), None)
        resources.append(dict(code=code, title=title, kind=kind, course=course, topic=topic, priority=priority,
                              url=url, partnership=partnership, published=dt.date.fromisoformat(published),
                              platform=platform, level=level))
    access = [row for resource in resources for row in resource_access(rng, resource)]
    followups = resource_followups(rng, resources, tables)
    fields = ("code", "title", "kind", "course", "topic", "priority", "url", "partnership", "published")
    return {model.Resource: [{field: resource[field] for field in fields} for resource in resources],
            model.ResourceAccess: access, model.ResourceFollowUp: followups}


def resource_access(rng, resource: dict) -> list[dict]:
    """A row a month from the month it was published: views fall from the launch, with a dip in August."""
    rows, month = [], max(resource["published"].replace(day=1), RESOURCE_YEARS_FROM)
    age = 0
    while month <= RESOURCE_YEARS_TO:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        level = resource["level"] * (0.55 + 0.45 * 0.8 ** age) * (0.5 if month.month == 8 else 1)
        views = max(0, round(rng.gauss(level, level * 0.18)))
        row = dict(resource=resource["code"], date=month, source=resource["platform"],
                   until=following - dt.timedelta(days=1), views=views)
        if resource["kind"] in ("resource_pack", "briefing", "document", "podcast"):
            row["downloads"] = round(views * rng.uniform(0.25, 0.55))
        row["unique_viewers"] = round(views * rng.uniform(0.6, 0.85))
        if resource["platform"] == "youtube":
            minutes = 22 if resource["kind"] == "recording" else 4
            row["watch_hours"] = round(views * rng.uniform(0.6, 1.1) * minutes / 60, 1)
        rows.append(row)
        month, age = following, age + 1
    return rows


def resource_followups(rng, resources: list[dict], tables: dict) -> list[dict]:
    """About 300 answers to 'Did you use this resource, and what difference did it make?' from sample delegates,
    those who attended a session of the resource's course first."""
    sessions = {row["code"]: row["course"] for row in tables[model.Session]}
    attended: dict[str, list[str]] = {}
    for booking in tables[model.Booking]:
        if booking["status"] == "attended":
            emails = attended.setdefault(sessions[booking["session"]], [])
            if booking["email"].lower() not in emails:
                emails.append(booking["email"].lower())
    everyone = [person["email"] for person in tables[model.Delegate]]
    rows = []
    for resource in resources:
        pool = attended.get(resource["course"]) or everyone
        for email in rng.sample(pool, min(len(pool), rng.randint(18, 34))):
            start = max(resource["published"], RESOURCE_YEARS_FROM) + dt.timedelta(days=30)
            date = start + dt.timedelta(days=rng.randint(0, max(0, (RESOURCE_YEARS_TO - start).days)))
            used = rng.random() < 0.72
            used_learning = (rng.random() < 0.75) if used else None
            row = dict(resource=resource["code"], email=email, date=date, used_resource=used,
                       used_learning=used_learning,
                       specific_action=(rng.random() < 0.6) if used_learning else (False if used else None),
                       comments=rng.choice(RESOURCE_COMMENTS) if used and rng.random() < 0.2 else None)
            rows.append(row)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Generate the synthetic scplearn sample data.")
    parser.add_argument("--out", default=Path(__file__).resolve().parent.parent / "src" / "scplearn" / "sample",
                        type=Path)
    parser.add_argument("--seed", default=2024, type=int)
    args = parser.parse_args(argv)
    records = generate(args.out, args.seed)
    print(f"wrote {', '.join(f'{len(rows)} {TABLE_NAMES[cls]}' for cls, rows in records.items())} to {args.out}")
    print(summary(records))


if __name__ == "__main__":
    main()
