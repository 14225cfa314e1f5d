import django.core.serializers.json
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task_name', models.CharField(max_length=200, verbose_name='task')),
                ('args', models.JSONField(blank=True, default=list, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='arguments')),
                ('kwargs', models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='keyword arguments')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('attempts', models.PositiveIntegerField(default=1, verbose_name='failed attempts')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='last attempt')),
                ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='being sent since')),
                ('claim', models.UUIDField(blank=True, editable=False, null=True)),
            ],
            options={
                'verbose_name': 'waiting task',
                'verbose_name_plural': 'waiting tasks',
                'ordering': ['id'],
                'indexes': [models.Index(fields=['claimed_at', 'id'], name='outbox_claimable')],
            },
        ),
    ]
