"""An Eventbrite Attendee Summary report as Eventbrite writes it, and ``ROWS``: five attendees with messy details."""

import csv

# The Attendee Summary report's columns, in Eventbrite's order, with the
# "Job Title" and "Company" questions at the end (see docs/importing.md).
HEADER = [
    "Order #", "Order Date", "First Name", "Last Name", "Email", "Quantity", "Price Tier", "Ticket Type",
    "Attendee #", "Group", "Order Type", "Currency", "Total Paid", "Fees Paid", "Eventbrite Fees",
    "Eventbrite Payment Processing", "Attendee Status", "Job Title", "Company",
]


def attendee(order, first, last, email, status, job="", company=""):
    return [order, "01/08/2024 10:15", first, last, email, "1", "", "General Admission", f"{order}01", "",
            "Free Order", "GBP", "0", "0", "0", "0", status, job, company]


ROWS = [
    attendee("1001", "Zoë", "O'Brien", "Zoe.OBrien@StMarys.example.org", "Checked In", "Teacher",
             "St Mary's Primary School"),
    attendee("1002", "Bob", "Smith ", " bob.smith@police.example.org ", "Attending", "Police Constable",
             "leicestershire police"),
    attendee("1003", "Priya", "Patel", "priya.patel@uhl.example.org", "Not Attending", "Nurse",
             "University Hospitals of Leicester NHS Trust"),
    attendee("1004", "Siobhán", "Ní Bhriain", "siobhan@example.org", "Attending", "Social Worker",
             "Leicester City Council Children's Services"),
    attendee("1005", "Tom", "Jones", "tom.jones@example.org", "Attending", "N/A", ""),
]


def write_report(path, rows=ROWS, *, bom=True, blank_lines=True):
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number, row in enumerate(rows):
            writer.writerow(row)
            if blank_lines and number == 1:
                writer.writerow([])
    return path
