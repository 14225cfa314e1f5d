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
    """Every (method, path template, operation) of the API (/api/v1/; the test settings
    also serve a test-only app under /api/test/, which is not the product's)."""
    return [
        (method.upper(), path, operation)
        for path, item in spec()["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete") and path.startswith("/api/v1/")
    ]


BLANK = {"type": "string", "maxLength": 0}


def json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` is OpenAPI's own keyword,
    which JSON Schema validators ignore; it becomes ``null`` among the allowed types.

    drf-spectacular writes a field that may be blank as ``oneOf: [<format uri/email>,
    <empty string>]``, exclusive only where the validator asserts formats (jsonschema does
    not check ``uri`` without an extra package): there it is read as ``anyOf``, the same
    set of values."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if BLANK in out.get("oneOf", []):
        out["anyOf"] = out.pop("oneOf")
    if node.get("nullable"):
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


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
    jsonschema.validate(
        response.json(), json_schema({**schema, "components": spec()["components"]})
    )
