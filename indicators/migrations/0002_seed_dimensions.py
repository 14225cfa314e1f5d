"""Seed the default disaggregation dimensions for every existing collaborative.

New collaboratives get theirs on first use (``services.indicator_settings_for``).
"""

from django.db import migrations


def seed(apps, schema_editor):
    from indicators.seeds import DEFAULT_DIMENSIONS

    Collaborative = apps.get_model("stakeholders", "Collaborative")
    Settings = apps.get_model("indicators", "IndicatorSettings")
    Dimension = apps.get_model("indicators", "Dimension")
    DimensionValue = apps.get_model("indicators", "DimensionValue")
    for collaborative in Collaborative.objects.all():
        settings, _ = Settings.objects.get_or_create(collaborative=collaborative)
        if settings.dimensions_seeded:
            continue
        for order, (code, name, values) in enumerate(DEFAULT_DIMENSIONS):
            dimension, _ = Dimension.objects.get_or_create(
                collaborative=collaborative,
                code=code,
                defaults={"name": name, "order": order, "accepts_any_value": not values},
            )
            for value_order, (value_code, label) in enumerate(values):
                DimensionValue.objects.get_or_create(
                    dimension=dimension,
                    code=value_code,
                    defaults={"label": label, "order": value_order},
                )
        settings.dimensions_seeded = True
        settings.save(update_fields=["dimensions_seeded"])


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
