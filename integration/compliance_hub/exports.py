"""What a hub member takes away: the filtered table as CSV, one certificate, or the filtered set as one ZIP.

The ZIP is written as it is sent: one stored file is read at a time and its bytes leave before the
next is read, so neither the archive nor the set of files is ever held in memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from integration import audit
from integration.compliance_hub.table import HubFilter, HubRow
from integration.extensions import db
from integration.models import ComplianceHubMember, StoredFile
from integration.refusals import Refusal
from integration.storage import get_storage
from integration.tenancy import get_scoped, scoped

CSV_COLUMNS = ("Contractor", "Effective date", "End date", "Certificate")
BATCH = 100
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class BulkDownloadRefused(Refusal):
    """Bulk download is not enabled for the member's account."""

    status = 403


@dataclass(frozen=True)
class Document:
    """A certificate's file as it is handed out: a name for people and where its bytes are."""

    certificate_id: int
    filename: str
    content_type: str
    storage_key: str

    def read(self) -> bytes:
        """The file's bytes from storage."""
        return get_storage().get(self.storage_key)


def document_of(member: ComplianceHubMember, row: HubRow) -> Document:
    """The file behind one row, with a name saying whose certificate it is and for when."""
    stored = get_scoped(StoredFile, row.stored_file_id, member.company_id)
    return Document(row.certificate_id, download_name(row, stored.filename), stored.content_type, stored.storage_key)


def download_name(row: HubRow, filename: str) -> str:
    """``Contractor 2025-01-01 to 2026-01-01 (certificate 12).pdf``, safe for any file system."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "pdf"
    stem = f"{row.contractor} {row.effective_on.isoformat()} to {row.ends_on.isoformat()} (certificate " \
           f"{row.certificate_id})"
    return "".join(c if c.isalnum() or c in " ._-()" else "_" for c in stem)[:180] + f".{extension}"


def record_download(member: ComplianceHubMember, what: str, project_id: int, rows: list[HubRow],
                    wanted: HubFilter | None = None) -> None:
    """Audit a download (one certificate, the CSV or the ZIP) before it is sent."""
    after = {"project_id": project_id, "rows": len(rows), "certificates": [r.certificate_id for r in rows[:1000]]}
    if wanted is not None:
        after["filter"] = wanted.to_args(page=1)
    audit.record(member.company_id, f"compliance_hub.{what}", member, actor_label=member.email, after=after)
    db.session.commit()


def table_csv(rows: Iterable[HubRow], link: Callable[[HubRow], str]) -> Iterator[str]:
    """The rows as CSV, line by line (a spreadsheet never runs a contractor's name as a formula)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.contractor), row.effective_on.isoformat(), row.ends_on.isoformat(), link(row)])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def check_bulk_download(enabled: bool) -> None:
    """Refuse bulk download unless the GC turned it on for the account."""
    if not enabled:
        raise BulkDownloadRefused("Downloading many certificates at once is not enabled for your account. Ask the "
                                  "GC to enable bulk download; meanwhile each certificate can be downloaded from "
                                  "its row.")


def certificates_zip(company_id: int, rows: list[HubRow]) -> Iterator[bytes]:
    """The rows' certificates (of the company) as one ZIP, produced piece by piece as it is sent."""
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for document in _documents(company_id, rows):
            with archive.open(document.filename, "w", force_zip64=True) as entry:
                entry.write(document.read())
            yield sink.take()
    yield sink.take()


def _documents(company_id: int, rows: list[HubRow]) -> Iterator[Document]:
    """Each row's file, looked up a batch of rows at a time."""
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        stored = {f.id: f for f in db.session.scalars(scoped(StoredFile, company_id).where(
            StoredFile.id.in_([r.stored_file_id for r in batch])))}
        for row in batch:
            file = stored[row.stored_file_id]
            yield Document(row.certificate_id, download_name(row, file.filename), file.content_type, file.storage_key)


class _Chunks:
    """A write-only file for zipfile that hands over what was written so far (zipfile sees it cannot seek)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the bytes wait for take()."""

    def take(self) -> bytes:
        """The bytes written since the last take."""
        data, self._parts = b"".join(self._parts), []
        return data
