from django.contrib import admin

from reentry.sharing.admin import ShareableAdmin
from tests.sharingapp.models import Folder


@admin.register(Folder)
class FolderAdmin(ShareableAdmin):
    search_fields = ["title"]
