from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    -- Deleting a person or a collaborative sets its foreign key to NULL: allow only that.
    IF (NEW.at, NEW.action, NEW.actor_label, NEW.object_type, NEW.object_id, NEW.object_label,
        NEW.outcome, NEW.ip_address, NEW.user_agent, NEW.details::text)
       IS DISTINCT FROM
       (OLD.at, OLD.action, OLD.actor_label, OLD.object_type, OLD.object_id, OLD.object_label,
        OLD.outcome, OLD.ip_address, OLD.user_agent, OLD.details::text)
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
       OR (NEW.collaborative_id IS NOT NULL AND NEW.collaborative_id IS DISTINCT FROM OLD.collaborative_id)
    THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
