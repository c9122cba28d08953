"""Evidence attachments shared by every domain: checked by content (magic bytes), not by name,
and stored once per content under its SHA-256.

A file is accepted only when its first bytes say JPEG, PNG or PDF *and* its name (if it has an
extension) agrees; anything else — an ``.exe`` renamed ``.jpg``, an HTML page called ``.pdf``
— is refused with a coded error (``<domain>.file_type_not_allowed`` …) before anything is stored.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import filetype

from marketreg.kernel.errors import DomainError
from marketreg.platform.settings import get_settings

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024  # 10 MB each, and ``attachments_max_total_mb`` (20 MB) all together
ALLOWED = {"image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}, "application/pdf": {".pdf"}}
ACCEPT = ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"  # the form's accept= hint


@dataclass(frozen=True, slots=True)
class RawFile:
    """A file as received: its name and (at most MAX_BYTES + 1 of) its content."""

    filename: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Upload:
    """A checked file: a safe name, its real type and its content."""

    filename: str
    mime: str
    content: bytes


def _safe_name(raw: str, mime: str) -> str:
    """The base name only, without control characters or path parts; never empty."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if not name:
        name = "附件" + sorted(ALLOWED[mime])[0]
    return name[-200:]


def check_files(files: Sequence[RawFile], *, code_prefix: str) -> list[Upload]:
    """Validate evidence files; empty parts (a file input left blank) are skipped."""
    present = [f for f in files if f.content]  # a blank file input, or an empty file, carries no evidence
    if len(present) > MAX_FILES:
        raise DomainError(f"{code_prefix}.too_many_files", f"最多上传{MAX_FILES}个附件", limit=MAX_FILES)
    total_mb = get_settings().attachments_max_total_mb
    if sum(len(f.content) for f in present) > total_mb * 1024 * 1024:
        raise DomainError(f"{code_prefix}.attachments_too_large", f"附件合计不能超过{total_mb}MB", status=413,
                          limit_mb=total_mb)
    checked = []
    for f in present:
        if len(f.content) > MAX_BYTES:
            raise DomainError(f"{code_prefix}.file_too_large", f"附件“{f.filename[:60]}”超过10MB", status=413,
                              filename=f.filename[:200])
        kind = filetype.guess(f.content)
        mime = kind.mime if kind is not None else None
        if mime not in ALLOWED:
            raise DomainError(f"{code_prefix}.file_type_not_allowed",
                              f"附件“{f.filename[:60]}”不是有效的 JPEG、PNG 或 PDF 文件", status=415,
                              filename=f.filename[:200])
        suffix = PurePosixPath(f.filename.replace("\\", "/")).suffix.lower()
        if suffix and suffix not in ALLOWED[mime]:
            raise DomainError(f"{code_prefix}.file_type_mismatch",
                              f"附件“{f.filename[:60]}”的扩展名与文件内容不符", status=415,
                              filename=f.filename[:200])
        checked.append(Upload(filename=_safe_name(f.filename, mime), mime=mime, content=f.content))
    return checked


def store(content: bytes) -> str:
    """Write the content once under its SHA-256 (idempotent); returns the digest."""
    digest = hashlib.sha256(content).hexdigest()
    target = stored_path(digest)
    if not target.exists():
        target.write_bytes(content)
    return digest


def stored_path(sha256: str) -> Path:
    """Attachments live in the shared storage (``MARKETREG_STORAGE_DIR``), where every process finds them."""
    return get_settings().storage_path("attachments", sha256)
