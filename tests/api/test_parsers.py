"""reentry.api.parsers: JSON bodies nested too deeply are a 400, not a RecursionError."""

import io

import pytest
from django.conf import settings
from rest_framework.exceptions import ParseError

from reentry.api.parsers import MAX_DEPTH, DepthLimitedJSONParser


def parse(body: str):
    return DepthLimitedJSONParser().parse(io.BytesIO(body.encode()))


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_every_endpoint_parses_json_through_it():
    first = settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"][0]
    assert first == "reentry.api.parsers.DepthLimitedJSONParser"


def test_an_ordinary_body_is_parsed():
    assert parse('{"choices": ["a", "b"], "note": {"x": [1, 2]}}') == {
        "choices": ["a", "b"],
        "note": {"x": [1, 2]},
    }


def test_nesting_up_to_the_limit_is_accepted():
    assert parse(nested(MAX_DEPTH)) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deeper_nesting_is_a_parse_error(depth):
    with pytest.raises(ParseError, match="nests more than"):
        parse(nested(depth))
