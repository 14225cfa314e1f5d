"""The JSON API (/api/v1/), its schema and docs, and API tokens for organizations' systems."""
