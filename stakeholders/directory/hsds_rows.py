"""HSDS rows that have no home among the directory's own tables.

An imported directory's taxonomy (terms such as AIRS codes, and which services they
classify) and the source ids of rows we keep inside another record (a location's street
address and accessibility lines, a service's required documents), so that exporting an
imported directory writes back what came in, under the same ids.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stakeholders.directory.models import Service
from stakeholders.models.people import Collaborative


class TaxonomyTerm(models.Model):
    """A term of an imported vocabulary (HSDS ``taxonomy``). Vocabulary, not anyone's data:
    exported with the public directory whole. Our own key areas are exported as terms of
    their own and never stored here."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="taxonomy_terms"
    )
    hsds_id = models.CharField(_("HSDS id"), max_length=200)
    name = models.CharField(_("name"), max_length=300)
    parent_hsds_id = models.CharField(_("parent's HSDS id"), max_length=200, blank=True)
    parent_name = models.CharField(_("parent's name"), max_length=300, blank=True)
    vocabulary = models.CharField(_("vocabulary"), max_length=200, blank=True)

    class Meta:
        ordering = ["collaborative", "vocabulary", "name", "pk"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "hsds_id"], name="taxonomyterm_unique_hsds_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vocabulary}: {self.name}" if self.vocabulary else self.name


class ServiceTaxonomy(models.Model):
    """A term that classifies a service (HSDS ``service_taxonomy``); seen with the service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="taxonomy_links")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="links")
    hsds_id = models.CharField(_("HSDS id"), max_length=200, blank=True)
    taxonomy_detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["service", "term"]
        verbose_name = _("service taxonomy term")
        verbose_name_plural = _("service taxonomy terms")
        constraints = [
            models.UniqueConstraint(fields=["service", "term"], name="servicetaxonomy_unique")
        ]

    def __str__(self) -> str:
        return str(self.term)


class HsdsSourceId(models.Model):
    """The id an HSDS row had when its content went into another record.

    ``key`` names the content: ``<location public id>`` for a street address,
    ``<location public id>|<line>`` for an accessibility line, ``<service public id>|doc:<value>``
    or ``|text:<line>`` for a required document. An export looks the key up and writes the
    source id; content changed since the import has a new key, so gets a new id.
    """

    collaborative = models.ForeignKey(Collaborative, on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(_("HSDS resource"), max_length=40)
    key = models.CharField(_("key"), max_length=600)
    hsds_id = models.CharField(_("HSDS id"), max_length=200)

    class Meta:
        ordering = ["collaborative", "resource", "key"]
        verbose_name = _("HSDS source id")
        verbose_name_plural = _("HSDS source ids")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "resource", "key"], name="hsdssourceid_unique_key"
            ),
            models.CheckConstraint(condition=~Q(hsds_id=""), name="hsdssourceid_has_id"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.hsds_id}"
