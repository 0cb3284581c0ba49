"""A Teams attendance report as Teams writes it (current and older flat layouts), the people booked to match it,
and ``GOOD``: a report's joins and leaves with every case the importer must handle."""

import datetime as dt

from conftest import reference, write_csv

import scplearn

SESSION = "NEG02-2024-09-10"  # course NEG02 lasts 2 hours: present for 90 minutes at the default threshold
DAY = dt.date(2024, 9, 10)


def at(clock_time, day=DAY):
    hours, minutes = map(int, clock_time.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes))


def uk(moment):
    return moment.strftime("%d/%m/%Y, %H:%M:%S")


def length(delta):
    seconds = int(delta.total_seconds())
    hours, minutes, seconds = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return " ".join(part for part in (f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{seconds}s")
                    if part)


def write_current(path, activities, *, start="09:30", end="11:30", day=DAY, title="Neglect: Recognising and Responding"):
    """A report in the current layout: Summary, Participants (one row per person) and In-Meeting Activities (one per join).

    ``activities`` holds (name, email, role, join, leave) with times as "HH:MM".
    """
    joins = [(name, email, role, at(join, day), at(leave, day)) for name, email, role, join, leave in activities]
    people = {}
    for name, email, role, join, leave in joins:
        person = people.setdefault((name, email, role), [join, leave, dt.timedelta()])
        person[0], person[1] = min(person[0], join), max(person[1], leave)
        person[2] += leave - join
    lines = [
        "1. Summary",
        f"Meeting title\t{title}",
        f"Attended participants\t{len(people)}",
        f"Start time\t{uk(at(start, day))}",
        f"End time\t{uk(at(end, day))}",
        f"Meeting duration\t{length(at(end, day) - at(start, day))}",
        "Average attendance time\t1h 10m 0s",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
    ]
    for (name, email, role), (first, last, total) in people.items():
        lines.append(f"{name}\t{uk(first)}\t{uk(last)}\t{length(total)}\t{email}\t{email}\t{role}")
    lines += ["", "3. In-Meeting Activities", "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole"]
    for name, email, role, join, leave in joins:
        lines.append(f"{name}\t{uk(join)}\t{uk(leave)}\t{length(leave - join)}\t{email}\t{role}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-16")  # as Teams writes it: BOM, UTF-16, tabs
    return path


def write_flat(path, events):
    """A report in the older flat layout: Full Name, User Action, Timestamp (no emails)."""
    lines = ["Full Name\tUser Action\tTimestamp"] + [f"{name}\t{action}\t{when}" for name, action, when in events]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-16")
    return path


def booked_store(tmp_store, tmp_path):
    """The reference records, and seven people booked on NEG02-2024-09-10 and VIR03-2024-09-12."""
    reference(tmp_store, tmp_path / "reference")
    write_csv(tmp_path / "booked" / "delegates.csv", """
        email,name,agency
        alice@example.org,Alice Brown,Leicestershire Police
        zoe@example.org,Zoë O'Brien,St Mary's Primary School
        bob@example.org,Bob Smith,
        carol@example.org,Carol White,
        dan@example.org,Dan Green,
        sam.a@example.org,Sam Taylor,
        sam.b@example.org,Sam Taylor,
    """)
    rows = "\n".join(f"{session},{email},booked" for session in (SESSION, "VIR03-2024-09-12")
                     for email in ("alice", "zoe", "bob", "carol", "dan", "sam.a", "sam.b"))
    write_csv(tmp_path / "booked" / "bookings.csv", "session,email,status\n" + rows.replace(",booked", "@example.org,booked"))
    scplearn.import_files(tmp_store, [tmp_path / "booked"])
    return tmp_store


TRAINER = ("Tess Trainer", "tess@example.org", "Organizer", "09:25", "11:35")
GOOD = [
    TRAINER,
    ("Alice Brown", "alice@example.org", "Attendee", "09:30", "11:10"),      # 100 min
    ("Bob Smith", "BOB@Example.org", "Attendee", "09:30", "10:20"),         # 50 min ...
    ("Bob Smith", "BOB@Example.org", "Attendee", "10:30", "11:15"),         # ... + 45 min = 95 min
    ("Carol White", "carol@example.org", "Presenter", "09:30", "10:30"),    # 60 min on a laptop
    ("Carol White", "carol@example.org", "Presenter", "09:45", "10:30"),    # and on a phone at the same time
    ("O'Brien, Zoe (Guest)", "", "Attendee", "09:35", "11:30"),             # no email: 115 min
    ("Eve Black", "eve@example.org", "Attendee", "09:30", "11:30"),         # not booked: 120 min
    ("Frank Grey", "frank@example.org", "Attendee", "09:30", "09:40"),      # not booked: 10 min
]
