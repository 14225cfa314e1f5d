from django.urls import path

from indicators.views import catalog, dashboards, datasets, records, requests

app_name = "indicators"

urlpatterns = [
    # The catalog and local definitions (indicators/catalog.py).
    path("", catalog.catalog, name="catalog"),
    path("new/", catalog.indicator_create, name="indicator_create"),
    path("definitions/", catalog.local_definitions, name="local_definitions"),
    path("<uuid:public_id>/", dashboards.indicator_page, name="indicator"),
    path(
        "<uuid:public_id>/definition/",
        catalog.indicator_definition,
        name="indicator_definition",
    ),
    path("<uuid:public_id>/edit/", catalog.indicator_edit, name="indicator_edit"),
    path("<uuid:public_id>/template.csv", catalog.indicator_template, name="template"),
    path(
        "<uuid:public_id>/definition/ours/",
        catalog.local_definition_edit,
        name="local_definition_edit",
    ),
    # Uploads and datasets (indicators/datasets.py).
    path("uploads/new/", datasets.upload_new, name="upload_new"),
    path("uploads/<uuid:public_id>/", datasets.upload_detail, name="upload"),
    path("uploads/<uuid:public_id>/columns/", datasets.upload_map, name="upload_map"),
    path("uploads/<uuid:public_id>/save/", datasets.upload_commit, name="upload_commit"),
    path(
        "uploads/<uuid:public_id>/progress.json",
        datasets.upload_progress,
        name="upload_progress",
    ),
    path("datasets/", datasets.dataset_list, name="datasets"),
    path("datasets/<uuid:public_id>/", datasets.dataset_detail, name="dataset"),
    path("datasets/<uuid:public_id>/submit/", datasets.dataset_submit, name="dataset_submit"),
    path("datasets/<uuid:public_id>/accept/", datasets.dataset_accept, name="dataset_accept"),
    path("datasets/<uuid:public_id>/return/", datasets.dataset_return, name="dataset_return"),
    path("datasets/<uuid:public_id>/restore/", datasets.dataset_restore, name="dataset_restore"),
    path("datasets/<uuid:public_id>/sharing/", datasets.dataset_sharing, name="dataset_sharing"),
    # Record-level datasets: the profile and the derived indicators (views/records.py).
    path("datasets/<uuid:public_id>/profile/", records.dataset_profile, name="dataset_profile"),
    path(
        "datasets/<uuid:public_id>/derived/<uuid:derived_id>/remove/",
        records.derived_indicator_remove,
        name="derived_remove",
    ),
    # Dashboards, exports, the story and comments (indicators/views/dashboards.py), and
    # data requests (indicators/views/requests.py).
    path("dashboard/", dashboards.overview, name="overview"),
    path("dashboard/export/", dashboards.dashboard_export, name="dashboard_export"),
    path("dashboard/<slug:area>/", dashboards.scorecard, name="scorecard"),
    path("<uuid:public_id>/export/", dashboards.indicator_export, name="indicator_export"),
    path("<uuid:public_id>/story/", dashboards.story_add, name="story_add"),
    path("<uuid:public_id>/comments/", dashboards.comment_add, name="comment_add"),
    path(
        "<uuid:public_id>/comments/<uuid:comment_id>/hide/",
        dashboards.comment_hide,
        name="comment_hide",
    ),
    path(
        "<uuid:public_id>/ask-for-data/",
        requests.data_request_new,
        name="data_request_new",
    ),
    path("data-requests/", requests.data_request_list, name="data_requests"),
    path(
        "data-requests/<uuid:public_id>/answer/",
        requests.data_request_decide,
        name="data_request_decide",
    ),
]
