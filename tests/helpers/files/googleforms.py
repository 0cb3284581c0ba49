"""Google Forms follow-up responses as "Download responses (.csv)" writes them, and ``ROWS``: three of them."""

import csv

# "Download responses (.csv)": Timestamp, Email address, then the questions (see docs/importing.md).
HEADER = [
    "Timestamp", "Email address", "Which course did you attend?",
    "Have you used the learning from the training in your everyday work?",
    "Have you taken specific action in the workplace as a result of the training?",
    "How would you rate your knowledge of the subject now?",
    "How would you rate your confidence now?",
    "Please give an example of how you have used the learning",
]
ROWS = [
    ["2024/12/10 10:15:32 AM GMT", "Alice@Example.org", "NEG02", "Yes", "Yes", "8", "9 out of 10",
     "Used the neglect toolkit with a family"],
    ["2024/12/03 2:01:00 PM GMT", "bob@example.org ", "Core Awareness in Safeguarding Children", "No", "Not yet",
     "6", "N/A", ""],
    ["2025/01/20 9:00:00 AM GMT", "zoe@example.org", "neg02", "Yes", "No", "7/10", "7", "Shared it with my team"],
]


def write_responses(path, rows=ROWS, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
