"""The directory's views: pages anyone who may look sees (pages.py), listing editing by an
organization's own people (editing.py), backbone staff's coverage grid and change history
(backbone.py)."""
