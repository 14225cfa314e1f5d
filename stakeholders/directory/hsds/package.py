"""Read an HSDS datapackage — a folder or a .zip with ``datapackage.json`` and CSV files.

Nothing here touches the database. Problems become ``Issue`` rows (file, row, field,
message); row 1 is the header, so row 2 is the first record, as a spreadsheet shows it.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from reentry.uploads import check_zip
from stakeholders.directory.hsds.spec import BY_NAME, RESOURCES, Resource

DESCRIPTOR = "datapackage.json"
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Issue:
    file: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


@dataclass
class Table:
    resource: Resource
    path: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class Package:
    tables: dict[str, Table] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # resources listed but not imported

    def path_of(self, name: str) -> str:
        table = self.tables.get(name)
        return table.path if table else BY_NAME[name].path


class _Source:
    """A folder or a zip file, read by relative paths that cannot leave it."""

    def __init__(self, location: Path):
        self.location = location
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        if location.is_file():
            check_zip(location, max_member_bytes=MAX_FILE_BYTES, max_total_bytes=MAX_TOTAL_BYTES)
            self.zip = zipfile.ZipFile(location)
            names = [n for n in self.zip.namelist() if PurePosixPath(n).name == DESCRIPTOR]
            if names:
                # The descriptor nearest the top: "datapackage.json" or "folder/datapackage.json".
                best = min(names, key=lambda n: n.count("/"))
                self.prefix = best[: -len(DESCRIPTOR)]

    def read(self, relative: str) -> bytes | None:
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            return None
        if self.zip is not None:
            try:
                info = self.zip.getinfo(self.prefix + relative)
            except KeyError:
                return None
            return self.zip.read(info)  # its declared size was checked by check_zip
        path = (self.location / relative).resolve()
        if not path.is_relative_to(self.location.resolve()) or not path.is_file():
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(_("%(file)s is larger than 50 MB.") % {"file": relative})
        return path.read_bytes()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def read_package(location: Path | str) -> Package:
    """Every table this app imports, read and checked for shape (not yet for content)."""
    package = Package()
    location = Path(location)
    if not location.exists():
        package.issues.append(Issue(str(location), None, "", _("There is no such file or folder.")))
        return package
    try:
        source = _Source(location)
    except (zipfile.BadZipFile, ValueError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else _("This is not a valid zip file.")
        package.issues.append(Issue(location.name, None, "", message))
        return package
    try:
        _read(source, package)
    except ValueError as exc:
        package.issues.append(Issue(location.name, None, "", str(exc)))
    finally:
        source.close()
    return package


def _read(source: _Source, package: Package) -> None:
    raw = source.read(DESCRIPTOR)
    if raw is None:
        package.issues.append(Issue(DESCRIPTOR, None, "", _("The file is missing.")))
        return
    try:
        descriptor = json.loads(raw.decode("utf-8-sig"))
        listed = descriptor["resources"]
        paths = {r["name"]: r["path"] for r in listed}
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        package.issues.append(
            Issue(
                DESCRIPTOR,
                None,
                "",
                _("This is not a datapackage descriptor with a list of resources (%(error)s).")
                % {"error": exc},
            )
        )
        return
    package.ignored = sorted(name for name in paths if name not in BY_NAME)
    for resource in RESOURCES:
        path = paths.get(resource.name)
        if path is not None and not isinstance(path, str):
            package.issues.append(
                Issue(DESCRIPTOR, None, resource.name, _("The resource path must be one file."))
            )
            continue
        data = source.read(path or resource.path)
        if data is None:
            if path is not None or resource.required:
                package.issues.append(
                    Issue(path or resource.path, None, "", _("The file is missing."))
                )
            continue
        table = _read_csv(resource, path or resource.path, data, package.issues)
        if table is not None:
            package.tables[resource.name] = table


def _read_csv(resource: Resource, path: str, data: bytes, issues: list[Issue]) -> Table | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        issues.append(Issue(path, None, "", _("The file is not UTF-8 text.")))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        issues.append(Issue(path, 1, "", _("The file is empty: it needs a header row.")))
        return None
    except csv.Error as exc:
        issues.append(Issue(path, 1, "", str(exc)))
        return None
    ok = True
    for name in {h for h in header if header.count(h) > 1}:
        issues.append(Issue(path, 1, name, _("This column appears more than once.")))
        ok = False
    for spec_field in resource.fields:
        if spec_field.import_required and spec_field.name not in header:
            issues.append(Issue(path, 1, spec_field.name, _("A required column is missing.")))
            ok = False
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                issues.append(
                    Issue(
                        path,
                        number,
                        "",
                        _("This row has %(cells)d cells; the header has %(columns)d.")
                        % {"cells": len(values), "columns": len(header)},
                    )
                )
                continue
            rows.append((number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except csv.Error as exc:
        issues.append(Issue(path, None, "", str(exc)))
        ok = False
    return Table(resource, path, header, rows) if ok else None
