"""``MenteeProfile.participant_id`` (a plain UUID, the casework participant's public id)
becomes a real link to ``casework.Participant``. Existing UUIDs are kept where they name
a participant of the mentee's own collaborative; any other value becomes empty."""

import django.db.models.deletion
from django.db import migrations, models


def link_participants(apps, schema_editor):
    MenteeProfile = apps.get_model("mentorship", "MenteeProfile")
    Participant = apps.get_model("casework", "Participant")
    for mentee in (
        MenteeProfile.objects.filter(participant_uuid__isnull=False)
        .select_related("program")
        .iterator(chunk_size=500)
    ):
        participant = Participant.objects.filter(
            public_id=mentee.participant_uuid,
            collaborative_id=mentee.program.collaborative_id,
        ).first()
        if participant is not None:
            MenteeProfile.objects.filter(pk=mentee.pk).update(participant=participant)


def unlink_participants(apps, schema_editor):
    MenteeProfile = apps.get_model("mentorship", "MenteeProfile")
    for mentee in MenteeProfile.objects.filter(participant__isnull=False).select_related(
        "participant"
    ):
        MenteeProfile.objects.filter(pk=mentee.pk).update(
            participant_uuid=mentee.participant.public_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
        ("mentorship", "0003_expense_void"),
    ]

    operations = [
        migrations.RenameField(
            model_name="menteeprofile", old_name="participant_id", new_name="participant_uuid"
        ),
        migrations.AddField(
            model_name="menteeprofile",
            name="participant",
            field=models.ForeignKey(
                blank=True,
                help_text="The person's participant code, when an organization serves them.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="mentee_profiles",
                to="casework.participant",
                verbose_name="casework participant",
            ),
        ),
        migrations.RunPython(link_participants, unlink_participants),
        migrations.RemoveField(model_name="menteeprofile", name="participant_uuid"),
    ]
