"""A register as a training team keeps it in a workbook, for the mapped importer, and ``TOML``: its mapping file."""

import openpyxl

REGISTER = [
    ("Zoë O'Brien", "Zoe.OBrien@example.org", "Teacher", "St Mary's Primary School", "Y", "Stayed late"),
    ("Bob Smith ", "bob@example.org", "PC", "Leics Police", "y", ""),
    ("Priya Patel", "priya@example.org", "Nurse", "University Hospitals of Leicester NHS Trust", "N", ""),
    ("Tom Jones", "tom@example.org", "", "", "C", "Rang to cancel"),
]
TOML = """
records = ["delegates", "bookings"]
sheet = "Register"
header_row = 3

[columns]
"Delegate" = "name"
"E-mail" = "email"
"Job title" = "role"
"Organisation" = "agency"
"Attended?" = "status"
"Comments" = ""

[values.status]
"Y" = "attended"
"N" = "did_not_attend"
"C" = "cancelled"

[values.agency]
"Leics Police" = "Leicestershire Police"
"""


def write_register(path, rows=REGISTER):
    """A register as a training team keeps it: a notes sheet first, a title above the headings."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Registers for the 2024/25 programme"])
    sheet = workbook.create_sheet("Register")
    sheet.append(["Core Awareness in Safeguarding Children — 3 September 2024"])
    sheet.append([])
    sheet.append(["Delegate", "E-mail", "Job title", "Organisation", "Attended?", "Comments"])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path
