"""How dates read in English: one format per kind, used by name everywhere.

Templates write ``{{ day|date }}``, ``{{ moment|date:"DATETIME_FORMAT" }}``,
``{{ month|date:"YEAR_MONTH_FORMAT" }}``; Python writes
``formats.date_format(day, "SHORT_DATE_FORMAT")``. A hand-written display format in a
template fails tests/test_date_formats.py. Machine formats (``<time datetime>``, input
values, URLs, CSV, API, calendar files) stay ISO 8601.
"""

DATE_FORMAT = "j M Y"  # 6 Dec 2026
DATETIME_FORMAT = "D j M Y, g:i A"  # Sun 6 Dec 2026, 3:20 PM
SHORT_DATE_FORMAT = "j M"  # 6 Dec: a date near today, in lists and sentences
SHORT_DATETIME_FORMAT = "j M, g:i A"  # 6 Dec, 3:20 PM
MONTH_DAY_FORMAT = "j M"  # 6 Dec
YEAR_MONTH_FORMAT = "F Y"  # December 2026
TIME_FORMAT = "g:i A"  # 3:20 PM
