from django.urls import path

from tests.sharingapp import views

app_name = "sharingapp"

urlpatterns = [
    path("c/<slug:slug>/folders/", views.folder_list, name="folders"),
    path("c/<slug:slug>/folders/<uuid:public_id>/", views.folder_detail, name="folder"),
    path("api/test/folders/", views.FolderListAPI.as_view(), name="api_folders"),
    path("api/test/folders/<uuid:public_id>/", views.FolderDetailAPI.as_view(), name="api_folder"),
]
