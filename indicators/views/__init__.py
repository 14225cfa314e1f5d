"""The pages of the indicators app, one module per feature: the catalog, datasets and
uploads, dashboards (with exports, the story and comments), data requests, and the
public dashboard."""
