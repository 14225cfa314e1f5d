"""Casework's business actions, one module per kind of record. Each takes the acting
member first (keyword ``actor``), checks rule 7 through ``casework.access``, writes in
one transaction and records what it did in the audit log."""
