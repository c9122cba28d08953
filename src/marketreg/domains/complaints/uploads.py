"""Evidence attachments of 12315 filings: the platform's content check (platform.uploads) with
this domain's error codes (``complaints.file_type_not_allowed`` …)."""

from __future__ import annotations

from collections.abc import Sequence

from marketreg.platform.uploads import ACCEPT, MAX_BYTES, MAX_FILES, RawFile, Upload, check_files

__all__ = ["ACCEPT", "MAX_BYTES", "MAX_FILES", "RawFile", "check_uploads"]


def check_uploads(files: Sequence[RawFile]) -> list[Upload]:
    """Validate evidence files; empty parts (a file input left blank) are skipped."""
    return check_files(files, code_prefix="complaints")
