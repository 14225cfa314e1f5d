from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(params, name: str) -> int | None:
    """The positive whole number in ``params[name]``; None when absent; else a 400."""
    value = params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValidationError({name: [_("Give a whole number from 1.")]})
    return int(value)


class ApiPagination(PageNumberPagination):
    """``?page=N``; clients may ask for up to 200 rows a page with ``?page_size=``. A page
    or page size that is not a whole number is a 400 naming it; a page past the last one
    is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        size = _whole_number(request.query_params, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        _whole_number(request.query_params, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)
