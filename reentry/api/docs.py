"""The browsable API docs (Swagger UI) under our strict Content Security Policy.

drf-spectacular's ``SpectacularSwaggerSplitView`` serves the Swagger UI init script
as a separate JavaScript response (``?script``) instead of an inline ``<script>``, so
``script-src 'self'`` holds without a nonce or a relaxed policy. Our template drops
the page's inline ``<style>`` block for a stylesheet of ours. Swagger UI's own files
come from the drf-spectacular-sidecar package (SWAGGER_UI_DIST = "SIDECAR"), served
by whitenoise like every other static file: no CDN.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
