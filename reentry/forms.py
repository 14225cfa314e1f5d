"""How every Django form field renders: one template, so every form looks and behaves alike."""

from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Project templates first (``templates/forms/field.html``), then Django's own widgets."""

    field_template_name = "forms/field.html"


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to each field it names, the
    rest at the top. The form keeps what the person typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
