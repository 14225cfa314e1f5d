from django.urls import path

from indicators import catalog_views, dashboard_views, request_views, upload_views

app_name = "indicators"

urlpatterns = [
    # The catalog and local definitions (indicators/catalog_views.py).
    path("", catalog_views.catalog, name="catalog"),
    path("new/", catalog_views.indicator_create, name="indicator_create"),
    path("definitions/", catalog_views.local_definitions, name="local_definitions"),
    path("<uuid:public_id>/", dashboard_views.indicator_page, name="indicator"),
    path(
        "<uuid:public_id>/definition/",
        catalog_views.indicator_definition,
        name="indicator_definition",
    ),
    path("<uuid:public_id>/edit/", catalog_views.indicator_edit, name="indicator_edit"),
    path("<uuid:public_id>/template.csv", catalog_views.indicator_template, name="template"),
    path(
        "<uuid:public_id>/definition/ours/",
        catalog_views.local_definition_edit,
        name="local_definition_edit",
    ),
    # Uploads and datasets (indicators/upload_views.py).
    path("uploads/new/", upload_views.upload_new, name="upload_new"),
    path("uploads/<uuid:public_id>/", upload_views.upload_detail, name="upload"),
    path("uploads/<uuid:public_id>/columns/", upload_views.upload_map, name="upload_map"),
    path("uploads/<uuid:public_id>/save/", upload_views.upload_commit, name="upload_commit"),
    path(
        "uploads/<uuid:public_id>/progress.json",
        upload_views.upload_progress,
        name="upload_progress",
    ),
    path("datasets/", upload_views.dataset_list, name="datasets"),
    path("datasets/<uuid:public_id>/", upload_views.dataset_detail, name="dataset"),
    path("datasets/<uuid:public_id>/submit/", upload_views.dataset_submit, name="dataset_submit"),
    path("datasets/<uuid:public_id>/accept/", upload_views.dataset_accept, name="dataset_accept"),
    path("datasets/<uuid:public_id>/return/", upload_views.dataset_return, name="dataset_return"),
    path(
        "datasets/<uuid:public_id>/restore/", upload_views.dataset_restore, name="dataset_restore"
    ),
    path(
        "datasets/<uuid:public_id>/sharing/", upload_views.dataset_sharing, name="dataset_sharing"
    ),
    # Dashboards, public pages, data requests, exports (h7b): append below.
    path("dashboard/", dashboard_views.overview, name="overview"),
    path("dashboard/export/", dashboard_views.dashboard_export, name="dashboard_export"),
    path("dashboard/<slug:area>/", dashboard_views.scorecard, name="scorecard"),
    path("<uuid:public_id>/export/", dashboard_views.indicator_export, name="indicator_export"),
    path("<uuid:public_id>/story/", dashboard_views.story_add, name="story_add"),
    path("<uuid:public_id>/comments/", dashboard_views.comment_add, name="comment_add"),
    path(
        "<uuid:public_id>/comments/<uuid:comment_id>/hide/",
        dashboard_views.comment_hide,
        name="comment_hide",
    ),
    path(
        "<uuid:public_id>/ask-for-data/",
        request_views.data_request_new,
        name="data_request_new",
    ),
    path("data-requests/", request_views.data_request_list, name="data_requests"),
    path(
        "data-requests/<uuid:public_id>/answer/",
        request_views.data_request_decide,
        name="data_request_decide",
    ),
]
