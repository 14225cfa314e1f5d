"""How dates read in Spanish: the same kinds as reentry/formats/en/formats.py."""

DATE_FORMAT = "j b Y"  # 6 dic 2026
DATETIME_FORMAT = "D j b Y, H:i"  # dom 6 dic 2026, 15:20
SHORT_DATE_FORMAT = "j b"  # 6 dic
SHORT_DATETIME_FORMAT = "j b, H:i"  # 6 dic, 15:20
MONTH_DAY_FORMAT = "j b"  # 6 dic
YEAR_MONTH_FORMAT = r"F \d\e Y"  # diciembre de 2026
TIME_FORMAT = "H:i"  # 15:20
