"""A shareable container (Folder) and a child table (Note) seen only through it."""

import uuid

from django.db import models
from django.utils import timezone

from reentry.sharing.models import ContainedQuerySet, GroupGrant, Shareable


class Folder(Shareable):
    owner = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class FolderGroupObjectPermission(GroupGrant):
    content_object = models.ForeignKey(Folder, on_delete=models.CASCADE)


class Note(models.Model):
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField()
    created = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ContainedQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.body[:40]
