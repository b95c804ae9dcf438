"""Photos a customer attaches to an item returned as damaged, defective or not as described:
each file decoded with Pillow to prove it is a photo, then written again without its
metadata (camera, GPS position), under a random name. Plain Python: no Flask here."""

import io
import secrets
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING

from app.i18n import N_
from app.phrases import Phrase

if TYPE_CHECKING:
    from PIL.Image import Image as PillowImage

MAX_PHOTOS = 3  # per item
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a phone's largest photos are about 50 megapixels
KINDS = ("JPEG", "PNG", "WEBP", "HEIF")
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"
STORED_AS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}


class PhotoError(ValueError):
    """The file can't be kept; `said` tells the customer why (a Phrase)."""

    def __init__(self, said: Phrase) -> None:
        super().__init__(said)
        self.said = said


@dataclass(frozen=True)
class StoredPhoto:
    file_name: str
    content_type: str
    width: int
    height: int


@cache
def _heif_registered() -> bool:
    """HEIC (iPhone photos) through the pillow-heif plugin, registered when first needed."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return True


def _size(count: int) -> Phrase:
    megabytes = count / (1024 * 1024)
    if megabytes >= 1:
        return Phrase(N_("%(num)s MB"), num=f"{megabytes:g}")
    return Phrase(N_("%(num)d KB"), num=count // 1024)


def _read(upload: IO[bytes], name: str) -> bytes:
    data = upload.read(MAX_BYTES + 1)
    if not data:
        raise PhotoError(Phrase(N_("%(name)s is empty."), name=name))
    if len(data) > MAX_BYTES:
        too_large = N_("%(name)s is larger than %(size)s. Please choose a smaller photo.")
        raise PhotoError(Phrase(too_large, name=name, size=_size(MAX_BYTES)))
    return data


def _decode(data: bytes, name: str) -> "PillowImage":
    # Pillow is imported by the first upload, not by every command that loads the views.
    from PIL import Image, UnidentifiedImageError

    _heif_registered()
    unreadable = PhotoError(
        Phrase(N_("%(name)s isn't a photo we can open. Use JPEG, PNG, WebP or HEIC."), name=name)
    )
    too_large = PhotoError(
        Phrase(N_("%(name)s has too many pixels to be a photo from a camera."), name=name)
    )
    try:
        with warnings.catch_warnings():
            # Pillow's own guard against decompression bombs, made an error at any size it
            # warns about; ours (MAX_PIXELS) is checked from the header, before decoding.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=KINDS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise too_large
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):  # damaged or not images
        raise unreadable from None
    return image


def store_photo(upload: IO[bytes], name: str, folder: Path) -> StoredPhoto:
    """Check the uploaded file and write it to `folder` as a new image without metadata.
    Raises PhotoError."""
    from PIL import Image, ImageOps

    image = _decode(_read(upload, name), name)
    image = ImageOps.exif_transpose(image)  # keep the photo upright once its EXIF is gone
    keep_alpha = image.mode in ("RGBA", "LA", "P") and "transparency" in image.info
    kind = "PNG" if keep_alpha or image.mode in ("RGBA", "LA") else "JPEG"
    image = image.convert("RGBA" if kind == "PNG" else "RGB")
    suffix, content_type = STORED_AS[kind]
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{secrets.token_hex(16)}.{suffix}"
    clean = Image.new(image.mode, image.size)  # pixels only: no EXIF, XMP or ICC text
    clean.paste(image)
    clean.save(folder / file_name, format=kind, quality=88)
    return StoredPhoto(file_name, content_type, *image.size)
