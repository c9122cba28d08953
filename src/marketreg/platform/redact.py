"""What an uploaded file says about its author, removed for anonymous reports.

A phone photo carries the camera make and model, often a serial number, the time and the GPS
position (EXIF); a PNG may carry text chunks; the file name may carry a person's name. Any of
these could link an anonymous report to a named filing, so an anonymous report's images are
re-encoded with Pillow (only the pixels are written, upright as they were shown) and every file
gets a neutral name. PDFs keep their bytes: no PDF writer is among the dependencies, and the
filing form says so.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageOps, UnidentifiedImageError

from marketreg.kernel.errors import DomainError
from marketreg.platform.uploads import ALLOWED, Upload

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def _pixels_only(content: bytes, image_format: str) -> bytes:
    with Image.open(io.BytesIO(content)) as source:
        image = ImageOps.exif_transpose(source)  # the orientation tag goes with the rest
        out = io.BytesIO()
        if image_format == "JPEG":
            image.save(out, "JPEG", quality=92)
        else:
            image.save(out, "PNG")
    return out.getvalue()


def without_author_traces(uploads: Sequence[Upload], *, code_prefix: str) -> list[Upload]:
    """The uploads with image metadata removed and neutral names (``附件1.jpg`` …)."""
    cleaned = []
    for index, upload in enumerate(uploads, start=1):
        content = upload.content
        if upload.mime in _FORMATS:
            try:
                content = _pixels_only(content, _FORMATS[upload.mime])
            except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
                raise DomainError(f"{code_prefix}.file_unreadable", f"附件“{upload.filename[:60]}”无法读取，请重新上传",
                                  status=415) from None
        cleaned.append(Upload(filename=f"附件{index}{sorted(ALLOWED[upload.mime])[0]}", mime=upload.mime,
                              content=content))
    return cleaned
