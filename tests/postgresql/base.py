"""PostgreSQL for the tests: Django's backend, with a cheaper flush.

A test that commits (``transaction=True``, ``live_server``) is cleaned up by ``flush``,
which on PostgreSQL is one TRUNCATE of every table: a new file for each of the 100-odd
tables and their indexes, about 0.6 s on an idle machine and 1.5 s or more under the
suite's load, after each of some 60 such tests. Most tables are empty by then, so this
flush empties only the tables that hold rows, with DELETE: Django's foreign keys are
DEFERRABLE INITIALLY DEFERRED, so the order does not matter inside the flush's
transaction. A table with a trigger of its own (the audit log is append-only: its
trigger refuses DELETE) is left to TRUNCATE, as are the tables that point at it. The
result is the same empty database; a flush that resets sequences or cascades is
Django's own.
"""

from django.db.backends.postgresql import base, operations

from tests.postgresql.creation import DatabaseCreation


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        with self.connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(
                    # Table names from Django's introspection, quoted.
                    f"SELECT {i} FROM (SELECT 1 FROM {self.quote_name(table)} LIMIT 1) AS t{i}"  # noqa: S608
                    for i, table in enumerate(tables)
                )
            )
            filled = [tables[i] for (i,) in cursor.fetchall()]
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relname = ANY(%s)",
                [filled],
            )
            guarded = {name for (name,) in cursor.fetchall()}
            if guarded:
                # TRUNCATE needs every table that references a truncated one beside it.
                cursor.execute(
                    "WITH RECURSIVE refs(name) AS ("
                    "  SELECT unnest(%s::text[])"
                    "  UNION SELECT c.conrelid::regclass::text FROM pg_constraint c"
                    "  JOIN refs ON c.confrelid = refs.name::regclass WHERE c.contype = 'f'"
                    ") SELECT name FROM refs",
                    [sorted(guarded)],
                )
                guarded = {name for (name,) in cursor.fetchall()}
        truncate = [table for table in tables if table in guarded]
        sql = super().sql_flush(style, truncate) if truncate else []
        return sql + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in filled
            if table not in guarded
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    creation_class = DatabaseCreation
