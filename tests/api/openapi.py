"""The generated OpenAPI schema as a test oracle: which operation a request reached, and
whether the answer it got is one that operation documents, in the documented shape."""

import functools
import re
from typing import Any

import jsonschema
from drf_spectacular.generators import SchemaGenerator

ERROR_REFS = {"#/components/schemas/Error", "#/components/schemas/ValidationError"}


@functools.cache
def spec() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """Every (method, path template, operation) of the schema."""
    return [
        (method.upper(), path, operation)
        for path, item in spec()["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile(
        "^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$"
    )


def operation_for(method: str, path: str) -> dict[str, Any]:
    matches = [
        (template, op)
        for m, template, op in operations()
        if m == method and _pattern(template).match(path)
    ]
    assert matches, f"{method} {path} is not in the schema"
    # A fixed segment beats a parameter: the template with the fewest parameters wins.
    return min(matches, key=lambda match: match[0].count("{"))[1]


def assert_documented(response) -> None:
    """``response`` (from Django's test client) is documented for the operation it reached,
    and its JSON body validates against the documented schema."""
    method, path = response.request["REQUEST_METHOD"], response.request["PATH_INFO"]
    status = str(response.status_code)
    documented = operation_for(method, path)["responses"]
    assert status in documented, f"{method} {path} answered {status}: not documented"
    schema = documented[status]["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), {**schema, "components": spec()["components"]})
