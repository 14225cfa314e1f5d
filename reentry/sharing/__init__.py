"""The one sharing mechanism (DESIGN.md, "Tenancy and sharing", rules 1-6).

- ``Shareable`` is the abstract base for every shareable container: an owner
  (an Organization or a WorkingGroup, structural) and a sharing level.
- Grants beyond the owner are django-guardian direct-FK group permissions, granted
  to the auth.Group that backs each Organization, Sector, WorkingGroup and
  Collaborative (``reentry.sharing.groups``).
- ``visible_to(user)`` / ``editable_by(user)`` are the only read paths; they are
  relational filters with a constant number of queries, never guardian's
  ``get_objects_for_user``.
"""
