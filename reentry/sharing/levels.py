from django.db import models
from django.utils.translation import gettext_lazy as _


class SharingLevel(models.TextChoices):
    PRIVATE = "private", _("Only the owner")
    SECTOR = "sector", _("The owner's sector")
    SHARED = "shared", _("Chosen organizations, sectors and groups")
    COLLABORATIVE = "collaborative", _("Everyone in the collaborative")
    PUBLIC = "public", _("Anyone, including the public")
