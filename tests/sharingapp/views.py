"""Pages and API endpoints over the test Folder, every read through visible_to.

The collaborative is looked up by slug without a membership check on purpose:
public folders are for anyone, signed in or not (DESIGN.md rule 2).
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from rest_framework import generics, permissions, serializers

from reentry.sharing.access import get_visible_or_404
from stakeholders.models import Collaborative
from tests.sharingapp.models import Folder, Note

PAGE_SIZE = 50


def folder_list(request: HttpRequest, slug: str) -> HttpResponse:
    collaborative = get_object_or_404(Collaborative, slug=slug)
    folders = (
        Folder.objects.visible_to(request.user)
        .filter(owner__collaborative=collaborative)
        .select_related("owner")
        .order_by("title", "id")
    )
    page = Paginator(folders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharingapp/folder_list.html", {"place": collaborative, "page": page})


def folder_detail(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    collaborative = get_object_or_404(Collaborative, slug=slug)
    folder = get_visible_or_404(
        Folder.objects.filter(owner__collaborative=collaborative),
        Folder.objects.visible_to(request.user)
        .filter(owner__collaborative=collaborative)
        .select_related("owner"),
        request=request,
        public_id=public_id,
    )
    notes = Note.objects.visible_through("folder", request.user).filter(folder=folder)[:50]
    return render(
        request,
        "sharingapp/folder_detail.html",
        {"place": collaborative, "folder": folder, "notes": notes},
    )


class FolderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Folder
        fields = ["public_id", "title", "sharing_level"]


class FolderAPIMixin:
    serializer_class = FolderSerializer
    permission_classes = [permissions.AllowAny]  # `public` folders are for anyone

    def get_queryset(self):
        return Folder.objects.visible_to(self.request.user).order_by("title", "id")


class FolderListAPI(FolderAPIMixin, generics.ListAPIView):
    pass


class FolderDetailAPI(FolderAPIMixin, generics.RetrieveAPIView):
    def get_object(self):
        return get_visible_or_404(
            Folder.objects.all(),
            self.get_queryset(),
            request=self.request,
            public_id=self.kwargs["public_id"],
        )
