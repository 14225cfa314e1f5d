"""Row-level security on the person-level tables: PostgreSQL's second lock (rule 7).

The code's lock is ``casework/access.py`` (every read through ``visible_to``). This one
holds even where a query forgets it, for a role that is neither a superuser nor has
BYPASSRLS (the app's; ``reentry/rowsecurity.py`` sets the person's scope per request).
Each policy admits a superset of what access.py admits, never less:

- ``system`` scope: every row (migrations, commands, Celery tasks, ``rowsecurity.system()``).
- a consent "naming me": not revoked, in its dates give or take a day (the day is the
  collaborative's own in access.py; a day's slack covers every time zone), naming one of
  my organizations or one of their sectors (access.py also checks the key areas, kinds,
  Part 2 and the collaborative: the code's lock narrows further);
- a findable consent: in force as above, ``findable``, in the collaborative of one of my
  organizations (any caseworker there may find the person's code, not their record);
- participants: mine (my account), or with an enrolment at one of my organizations, a
  consent naming me or findable by me, or a referral from or to one of my organizations;
- enrolments: my organizations', my own, and those a consent naming me was given on;
- identities: of the enrolments I see; service logs: my organizations', and those on
  the enrolments I see; referrals: from or to my organizations, and my own;
  referral events: of the referrals I see; consents: my organizations', my own, those
  naming me and those findable by me.

A row's own columns decide first (a row being inserted is not yet in any set). The sets
are computed by functions that run with ``reentry.scope = system`` inside (so
one policy may read another policed table without recursing), once per query (an
uncorrelated ``IN``). On SQLite this migration does nothing.
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION reentry_rls_system() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('reentry.scope', true), '') = 'system'
$$;

CREATE OR REPLACE FUNCTION reentry_rls_orgs() RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT string_to_array(coalesce(current_setting('reentry.org_ids', true), ''), ',')::bigint[]
$$;

CREATE OR REPLACE FUNCTION reentry_rls_user() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('reentry.user_id', true), '')::bigint
$$;

-- Consents naming one of my organizations or their sectors, in their dates +/- a day.
CREATE OR REPLACE FUNCTION reentry_rls_consents_naming_me() RETURNS SETOF bigint
LANGUAGE sql STABLE SET reentry.scope = 'system' AS $$
    SELECT c.id FROM casework_consent c
    WHERE c.revoked_at IS NULL
      AND c.starts_on <= current_date + 1 AND c.ends_on >= current_date - 1
      AND (
        c.id IN (SELECT consent_id FROM casework_consent_recipient_organizations
                 WHERE organization_id = ANY(reentry_rls_orgs()))
        OR c.id IN (SELECT consent_id FROM casework_consent_recipient_sectors
                    WHERE sector_id IN (SELECT sector_id FROM stakeholders_organization
                                        WHERE id = ANY(reentry_rls_orgs())))
      )
$$;

-- Findable consents in force (+/- a day) in the collaboratives of my organizations.
CREATE OR REPLACE FUNCTION reentry_rls_consents_findable() RETURNS SETOF bigint
LANGUAGE sql STABLE SET reentry.scope = 'system' AS $$
    SELECT c.id FROM casework_consent c
    WHERE c.findable AND c.enrolment_id IS NOT NULL AND c.revoked_at IS NULL
      AND c.starts_on <= current_date + 1 AND c.ends_on >= current_date - 1
      AND c.collaborative_id IN (SELECT collaborative_id FROM stakeholders_organization
                                 WHERE id = ANY(reentry_rls_orgs()))
$$;

-- My own participant records (my account).
CREATE OR REPLACE FUNCTION reentry_rls_my_participants() RETURNS SETOF bigint
LANGUAGE sql STABLE SET reentry.scope = 'system' AS $$
    SELECT id FROM casework_participant WHERE user_id = reentry_rls_user()
$$;

-- Enrolments I see: my organizations', my own, those a consent naming me was given on.
CREATE OR REPLACE FUNCTION reentry_rls_enrolments() RETURNS SETOF bigint
LANGUAGE sql STABLE SET reentry.scope = 'system' AS $$
    SELECT id FROM casework_enrolment WHERE organization_id = ANY(reentry_rls_orgs())
    UNION SELECT id FROM casework_enrolment
          WHERE participant_id IN (SELECT reentry_rls_my_participants())
    UNION SELECT enrolment_id FROM casework_consent
          WHERE id IN (SELECT reentry_rls_consents_naming_me()) AND enrolment_id IS NOT NULL
$$;

-- Enrolments a consent naming me was given on.
CREATE OR REPLACE FUNCTION reentry_rls_consented_enrolments() RETURNS SETOF bigint
LANGUAGE sql STABLE SET reentry.scope = 'system' AS $$
    SELECT enrolment_id FROM casework_consent
    WHERE id IN (SELECT reentry_rls_consents_naming_me()) AND enrolment_id IS NOT NULL
$$;

-- Participants I see.
CREATE OR REPLACE FUNCTION reentry_rls_participants() RETURNS SETOF bigint
LANGUAGE sql STABLE SET reentry.scope = 'system' AS $$
    SELECT reentry_rls_my_participants()
    UNION SELECT participant_id FROM casework_enrolment
          WHERE organization_id = ANY(reentry_rls_orgs())
    UNION SELECT participant_id FROM casework_consent
          WHERE id IN (SELECT reentry_rls_consents_naming_me())
             OR id IN (SELECT reentry_rls_consents_findable())
    UNION SELECT participant_id FROM casework_referral
          WHERE from_organization_id = ANY(reentry_rls_orgs())
             OR to_organization_id = ANY(reentry_rls_orgs())
$$;

-- Referrals I see: from or to my organizations, and my own.
CREATE OR REPLACE FUNCTION reentry_rls_referrals() RETURNS SETOF bigint
LANGUAGE sql STABLE SET reentry.scope = 'system' AS $$
    SELECT id FROM casework_referral
    WHERE from_organization_id = ANY(reentry_rls_orgs())
       OR to_organization_id = ANY(reentry_rls_orgs())
       OR participant_id IN (SELECT reentry_rls_my_participants())
$$;
"""

# (table, condition on the row); each gets one policy for every command, FORCEd so that
# the tables' owner is held to it too (only superusers and BYPASSRLS roles pass).
POLICIES = [
    (
        "casework_participant",
        "user_id = reentry_rls_user() OR id IN (SELECT reentry_rls_participants())",
    ),
    (
        "casework_enrolment",
        "organization_id = ANY(reentry_rls_orgs())"
        " OR participant_id IN (SELECT reentry_rls_my_participants())"
        " OR id IN (SELECT reentry_rls_consented_enrolments())",
    ),
    ("casework_identity", "enrolment_id IN (SELECT reentry_rls_enrolments())"),
    (
        "casework_servicelog",
        "organization_id = ANY(reentry_rls_orgs())"
        " OR enrolment_id IN (SELECT reentry_rls_enrolments())",
    ),
    (
        "casework_referral",
        "from_organization_id = ANY(reentry_rls_orgs())"
        " OR to_organization_id = ANY(reentry_rls_orgs())"
        " OR participant_id IN (SELECT reentry_rls_my_participants())",
    ),
    ("casework_referralevent", "referral_id IN (SELECT reentry_rls_referrals())"),
    (
        "casework_consent",
        "organization_id = ANY(reentry_rls_orgs())"
        " OR participant_id IN (SELECT reentry_rls_my_participants())"
        " OR id IN (SELECT reentry_rls_consents_naming_me())"
        " OR id IN (SELECT reentry_rls_consents_findable())",
    ),
]

FUNCTION_NAMES = [
    "reentry_rls_referrals()",
    "reentry_rls_participants()",
    "reentry_rls_consented_enrolments()",
    "reentry_rls_enrolments()",
    "reentry_rls_my_participants()",
    "reentry_rls_consents_findable()",
    "reentry_rls_consents_naming_me()",
    "reentry_rls_user()",
    "reentry_rls_orgs()",
    "reentry_rls_system()",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FUNCTIONS.split("$$;")[:-1]:
        schema_editor.execute(statement + "$$")
    for table, condition in POLICIES:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(
            f"CREATE POLICY reentry_person_scope ON {table} "
            f"USING (reentry_rls_system() OR {condition}) "
            f"WITH CHECK (reentry_rls_system() OR {condition})"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _condition in POLICIES:
        schema_editor.execute(f"DROP POLICY IF EXISTS reentry_person_scope ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for name in FUNCTION_NAMES:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_logs_referral_inbox_waiting")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
