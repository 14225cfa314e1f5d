"""The directory's writes: an organization's listing (listings.py: profile, contact people,
services, locations) and the quarterly verification reminders (reminders.py)."""
