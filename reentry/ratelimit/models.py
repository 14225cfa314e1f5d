from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """How many times ``key`` was hit in the fixed window starting at ``window_start``.

    Written only while the cache does not answer (``reentry.ratelimit.counters``), so
    the table stays small: a row per key and window of an outage; a key's windows
    older than a day are deleted when it is next counted."""

    key = models.CharField(_("key"), max_length=200)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M:%S}: {self.count}"
