"""Rate-limit counters that still count while Redis is down: the shared cache first,
the database (``RateCounter``) when the cache cannot answer. ``counters.hit`` is the
one way to count."""
