"""How every Django form field renders: one template, so every form looks and behaves alike."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Project templates first (``templates/forms/field.html``), then Django's own widgets."""

    field_template_name = "forms/field.html"
