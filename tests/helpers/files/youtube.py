"""A YouTube Studio analytics export: its table, chart and totals files, and the name Studio gives the zip."""

TABLE = (
    "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers,Average view duration,"
    "Impressions,Impressions click-through rate (%)\n"
    "Total,,,,1912,160.4721,9,0:05:02,30120,4.1\n"
    'Xb3kLm9QpZa,"Neglect: what good looks like, a recorded briefing","Mar 15, 2023",2712,1204,120.5012,6,0:06:00,18000,4.6\n'
    "-q2RtY7uIoP,Exploitation screening tool walkthrough,Sep 1 2023,640,708,39.9709,3,0:03:23,12120,3.4\n"
)
CHART = (
    "Date,Content,Video title,Video publish time,Duration,Views\n"
    "2023-04-01,Total,,,,12\n"
    '2023-04-01,Xb3kLm9QpZa,"Neglect: what good looks like, a recorded briefing","Mar 15, 2023",2712,7\n'
    '2023-04-02,Xb3kLm9QpZa,"Neglect: what good looks like, a recorded briefing","Mar 15, 2023",2712,0\n'
    '2023-04-03,Xb3kLm9QpZa,"Neglect: what good looks like, a recorded briefing","Mar 15, 2023",2712,11\n'
)
TOTALS = "Date,Views\n2023-04-01,12\n2023-04-02,3\n"
NAME = "Content 2023-04-01_2024-03-31 Safeguarding Partnership"
