"""Photos from reporters: size and type checked, decoded, re-encoded without metadata.

Re-encoding drops EXIF (GPS position, camera, times), XMP and text chunks; the picture is first turned
upright by its EXIF orientation so nothing visible is lost.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before memory is at risk
MAX_PHOTOS = 4


class PhotoError(ValueError):
    """A photo that cannot be accepted; the message says why and what to send instead."""


@dataclass(frozen=True, slots=True)
class CleanPhoto:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def max_bytes() -> int:
    return int(settings.SERVICE_REQUEST_PHOTO_MAX_BYTES)


def clean_photo(stream: IO[bytes], *, name: str, size: int | None) -> CleanPhoto:
    limit = max_bytes()
    if size is not None and size > limit:
        raise PhotoError(
            _("The photo %(name)s is %(size).1f MB; send one of %(limit).0f MB or less.")
            % {"name": name, "size": size / 1_048_576, "limit": limit / 1_048_576}
        )
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(
            _("The photo %(name)s is larger than %(limit).0f MB; send a smaller one.")
            % {"name": name, "limit": limit / 1_048_576}
        )
    unreadable = PhotoError(
        _("The file %(name)s is not a photo that can be read; send a JPEG, PNG or WebP image.")
        % {"name": name}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise PhotoError(
                    _("The file %(name)s is a %(format)s image; send a JPEG, PNG or WebP photo.")
                    % {"name": name, "format": probe.format or _("unknown")}
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(
                    _("The photo %(name)s has too many pixels; send one under 40 megapixels.")
                    % {"name": name}
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except PhotoError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
    ) as error:
        raise unreadable from error
    source_format = str(image.format)
    content_type, extension = ACCEPTED_FORMATS[source_format]
    upright = ImageOps.exif_transpose(image)
    if source_format == "JPEG" and upright.mode not in {"RGB", "L"}:
        upright = upright.convert("RGB")
    out = io.BytesIO()
    # No exif=, no pnginfo=, no xmp=: the new file carries pixels only.
    if source_format == "JPEG":
        upright.save(out, format="JPEG", quality=88, optimize=True)
    elif source_format == "WEBP":
        upright.save(out, format="WEBP", quality=85)
    else:
        upright.save(out, format=source_format)
    return CleanPhoto(out.getvalue(), content_type, extension, upright.width, upright.height)
