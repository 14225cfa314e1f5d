"""Casework forms, one module per kind of record. Choices come only from the
collaborative and the actor's organization."""
