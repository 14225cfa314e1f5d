"""How drf-spectacular describes our token authentication in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "reentry.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token created by an organization admin under “API tokens”. Send it as "
                "`Authorization: Token rc_…` (or `Authorization: Bearer rc_…`)."
            ),
        }
