"""Row-level security on record-level rows (``indicators_record``): PostgreSQL's second
lock behind ``Record.objects.visible_to`` (DESIGN.md rule 7, last sentence).

A record row passes when the scope is ``system`` (migrations, commands, Celery tasks,
``reentry.rowsecurity.system()``) or its dataset is owned by one of the acting person's
organizations (``reentry.org_ids``: the organizations whose admins and staff they are,
``casework.access.reader_org_ids``): the same set ``visible_to`` admits. The helper
functions are the casework migration's (``casework/0003_row_level_security``). On
SQLite this migration does nothing.
"""

from django.db import migrations

TABLE = "indicators_record"
CONDITION = (
    "dataset_id IN (SELECT id FROM indicators_dataset WHERE owner_id = ANY(reentry_rls_orgs()))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    schema_editor.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    schema_editor.execute(
        f"CREATE POLICY reentry_person_scope ON {TABLE} "
        f"USING (reentry_rls_system() OR {CONDITION}) "
        f"WITH CHECK (reentry_rls_system() OR {CONDITION})"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP POLICY IF EXISTS reentry_person_scope ON {TABLE}")
    schema_editor.execute(f"ALTER TABLE {TABLE} NO FORCE ROW LEVEL SECURITY")
    schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE ROW LEVEL SECURITY")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_dataset_kind_casework"),
        ("casework", "0003_row_level_security"),  # the reentry_rls_* functions
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
