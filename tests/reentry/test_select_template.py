"""templates/django/forms/widgets/select.html writes each option in place instead of
Django's one include per option: it must give exactly Django's HTML."""

from pathlib import Path

import django.forms
import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.template import engines

DJANGO_SELECT = (
    Path(django.forms.__file__).parent / "templates/django/forms/widgets/select.html"
).read_text()


class WithOptionAttrs(forms.Select):
    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if option["value"] == "b":
            option["attrs"].update({"disabled": True, "data-note": 'x"<y'})
        return option


class OwnOptionTemplate(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


WIDGETS = [
    forms.Select(choices=[("", "All"), ("1", "Tom & Jerry"), ("2", "<b>two</b>")]),
    forms.Select(choices=[("Group A", [("a", "A"), ("b", "B")]), ("c", "C")]),
    forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]),
    WithOptionAttrs(choices=[("a", "A"), ("b", "B")]),
    OwnOptionTemplate(choices=[("a", "A"), ("b", "B")]),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("value", ["1", ["a", "c"], "b", None])
def test_the_same_html_as_djangos_select(widget, value):
    context = widget.get_context("field", value, {"id": "id_field", "required": True})
    ours = get_default_renderer().render(widget.template_name, context)
    # The renderer strips the whitespace around a widget, as it does for every template.
    theirs = engines["django"].from_string(DJANGO_SELECT).render(context).strip()
    assert ours == theirs
    assert "<option" in ours or "<input" in ours


def test_the_project_template_is_the_one_used():
    template = get_default_renderer().get_template("django/forms/widgets/select.html")
    assert Path(template.origin.name) == (
        Path(__file__).resolve().parents[2] / "templates/django/forms/widgets/select.html"
    )
