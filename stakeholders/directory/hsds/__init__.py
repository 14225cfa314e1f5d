"""Open Referral HSDS 1.1 import and export for the collaborative's directory."""

from stakeholders.directory.hsds.exporter import ExportSummary, hsds_export
from stakeholders.directory.hsds.importer import hsds_import
from stakeholders.directory.hsds.package import Issue
from stakeholders.directory.hsds.report import ImportReport

__all__ = ["ExportSummary", "ImportReport", "Issue", "hsds_export", "hsds_import"]
