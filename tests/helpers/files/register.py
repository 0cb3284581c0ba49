"""A hand-kept register as a coordinator keeps it, in CSV or XLSX, and ``ROWS``: five delegates on two dates."""

import csv

import openpyxl

HEADER = ["Date", "Course", "First name", "Surname", "Email", "Organisation", "Job title", "Attended?",
          "Knowledge before", "Knowledge after", "Confidence before", "Confidence after"]
TITLE = "Neglect: Recognising and Responding"
ROWS = [
    ["03/09/2024", TITLE, "Alice", "Brown", "alice@example.org", "Leicestershire Police", "DC", "Y", 4, 8, 5, 7],
    ["03/09/2024", TITLE, "Bob", "Smith", "bob@example.org", "LCC Children's Services", "Social worker", "yes", 6, 7, 6, 9],
    ["03/09/2024", TITLE, "Carol", "White", "carol@example.org", "", "Nurse", "N", "", "", "", ""],
    ["10/09/2024", TITLE, "Dan", "Green", "dan@example.org", "St Mary's School", "Teacher", "Y", 3, 6, 4, 4],
    ["10/09/2024", TITLE, "Eve", "Black", "eve@example.org", "", "Health visitor", "Attended", "5", "9/10", "", ""],
]


def write_register(path, rows, *, title=None):
    """A register as a coordinator keeps it: CSV, or XLSX with a title and a blank row above the headings."""
    if path.suffix == ".xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        if title:
            sheet.append([title])
            sheet.append([])
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        workbook.save(path)
        return path
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path
