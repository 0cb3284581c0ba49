"""Microsoft Forms evaluations as Forms exports them to Excel, and ``ANSWERS``: four delegates' before and after
ratings and key actions, for one form holding both (``BOTH``)."""

import datetime as dt

import openpyxl

# The columns Forms puts first in its Excel export, then one column per question (see docs/importing.md).
TOOL_COLUMNS = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
BOTH = [
    "How would you rate your knowledge of neglect before the training?",
    "How would you rate your knowledge of neglect after the training?",
    "How would you rate your skills in responding to neglect before the training?",
    "How would you rate your skills in responding to neglect after the training?",
    "How would you rate your confidence in raising concerns before the training?",
    "How would you rate your confidence in raising concerns after the training?",
    "Key action 1", "Key action 2", "Key action 3",
]
ANSWERS = {
    "alice@example.org": ("Alice Brown", [4, 8, 5, "7/10", 3, "8 out of 10", "Use the toolkit", "Talk to my DSL", ""]),
    "bob@example.org": ("Bob Smith", [6, 7, "N/A", 6, 5, 5, "Read the neglect strategy", "", ""]),
    "zoe@example.org": ("Zoë O'Brien", ["5", "9", 4, 8, 2, 7, "", "", ""]),
    "carol@example.org": ("Carol White", [7, 7, 6, 7, None, 6, "Share with my team", "", ""]),
}


def write_form(path, questions, responses, *, start=dt.datetime(2024, 9, 10, 11, 30)):
    """An Excel export as Forms writes it; ``responses`` holds (email, name, answers)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(TOOL_COLUMNS + list(questions))
    for number, (email, name, answers) in enumerate(responses, start=1):
        done = start + dt.timedelta(minutes=3 * number)
        sheet.append([number, start, done, email, name, None, *answers])
    workbook.save(path)
    return path


def both_form(tmp_path, name="Neglect evaluation.xlsx", answers=ANSWERS):
    return write_form(tmp_path / name, BOTH, [(email, n, a) for email, (n, a) in answers.items()])
