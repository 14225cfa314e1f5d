"""Writes of the indicators app, one module per feature: ``<entity>_<verb>(*, actor:
Member, ...)``, atomic, audited, each refusing what ``indicators.access`` refuses."""
