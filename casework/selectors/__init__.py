"""Read paths for casework pages, one module per kind of record; every one starts from
a ``visible_to`` queryset."""
