"""The API's JSON parser: DRF's, with a limit on how deeply a body may nest.

Python's JSON decoder recurses once per level of nesting; a body of a few thousand
``[`` raises ``RecursionError``, which DRF does not catch (a 500). Nothing the API
accepts nests more than a few levels, so deeper bodies are refused with a 400 before
any view sees them. Set for every endpoint in ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _depth_over(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` deep (without
    recursion, so a deep value cannot exhaust the stack here either)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class DepthLimitedJSONParser(JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        message = _("JSON parse error - the body nests more than %(limit)s levels deep.") % {
            "limit": self.max_depth
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(message) from exc
        if _depth_over(data, self.max_depth):
            raise ParseError(message)
        return data
