"""Photos of damaged items: real files through the returns portal, decoded with Pillow,
written again without metadata, kept for the return, shown only to staff."""

import html
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import ReturnPhoto, ReturnRequest
from app.returns import photos
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from
from tests.staff_helpers import signed_in

GPS = 0x8825  # the EXIF tag holding a photo's position
TOTE = [
    {"sku": "TOTE", "name": "Canvas tote", "category": "bags", "quantity": 1,
     "unit_price_cents": 8900},
    {"sku": "TEE", "name": "Linen tee", "category": "tops", "quantity": 1,
     "unit_price_cents": 3900},
]  # fmt: skip


def jpeg_with_position() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS)[2] = (45.0, 31.0, 12.0)  # latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif().get_ifd(GPS)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def heic() -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "teal").save(buffer, format="HEIF")
    return buffer.getvalue()


@pytest.fixture
def damaged(app):
    """A customer returning a tote as damaged and a tee as too small: (client, tote, tee)."""
    tote, tee = line_ids(app, make_order(app, lines=TOTE))
    client = app.test_client()
    look_up(client)
    chosen = choose(
        client,
        **{f"qty-{tote}": "1", f"reason-{tote}": "damaged", f"qty-{tee}": "1",
           f"reason-{tee}": "too_small"},
    )  # fmt: skip
    assert chosen.headers["Location"] == "/returns/photos"
    return client, tote, tee


def upload(client, files: dict[str, list[tuple[bytes, str]]]):
    page = client.get("/returns/photos").get_data(as_text=True)
    data = {"csrf_token": token_from(page)}
    for field, items in files.items():
        data[field] = [(io.BytesIO(content), name) for content, name in items]
    return client.post("/returns/photos", data=data, content_type="multipart/form-data")


def stored(app) -> list[ReturnPhoto]:
    with app.app_context():
        return db.session.execute(select(ReturnPhoto).order_by(ReturnPhoto.id)).scalars().all()


def test_a_photo_is_kept_without_its_position_and_goes_with_the_return(app, damaged):
    client, tote, tee = damaged
    page = client.get("/returns/photos").get_data(as_text=True)
    assert f'name="photos-{tote}"' in page and f'name="photos-{tee}"' not in page
    sent = upload(client, {f"photos-{tote}": [(jpeg_with_position(), "IMG_0042.JPG")]})
    assert sent.status_code == 303, sent.get_data(as_text=True)[-3000:]
    assert sent.headers["Location"] == "/returns/review"

    [photo] = stored(app)
    file = Path(app.config["RETURN_PHOTOS_DIR"]) / photo.file_name
    with Image.open(file) as kept:
        assert kept.size == (640, 480) and kept.format == "JPEG"
        assert not kept.getexif() and "exif" not in kept.info
    assert photo.original_name == "IMG_0042.JPG" and "IMG_0042" not in photo.file_name
    assert b"PhoneMaker" not in file.read_bytes()

    made, _ = confirm(client)
    assert made.status_code == 303
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        assert [(p.order_line.name, p.file_name) for p in ret.photos] == [
            ("Canvas tote", photo.file_name)
        ]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "receipt.jpg", "isn't a photo we can open"),
        (png_claiming(30_000, 30_000), "bomb.png", "has too many pixels"),
        (b"", "empty.jpg", "is empty"),
    ],
    ids=["renamed pdf", "decompression bomb", "empty"],
)
def test_a_file_that_is_not_a_good_photo_is_refused_and_nothing_else_is_lost(
    app, damaged, content, name, message
):
    client, tote, _ = damaged
    sent = upload(client, {f"photos-{tote}": [(content, name), (jpeg_with_position(), "good.jpg")]})
    page = html.unescape(sent.get_data(as_text=True))
    assert sent.status_code == 400
    assert f"{name} {message}" in page
    assert "good.jpg" in page  # the good photo in the same submission is attached
    assert [p.original_name for p in stored(app)] == ["good.jpg"]
    review = client.get("/returns/review", follow_redirects=True).get_data(as_text=True)
    assert "Canvas tote" in review and "Linen tee" in review  # the choices are all there


def test_a_photo_over_the_size_limit_is_refused(app, damaged, monkeypatch):
    """At a 64 KB limit: the test client spools a 10 MB body to a file it never closes."""
    monkeypatch.setattr(photos, "MAX_BYTES", 64 * 1024)
    client, tote, _ = damaged
    big = b"\xff\xd8\xff" + b"\0" * (64 * 1024)
    sent = upload(client, {f"photos-{tote}": [(big, "huge.jpg")]})
    assert "huge.jpg is larger than 64 KB" in sent.get_data(as_text=True)
    assert stored(app) == []
    assert photos._size(photos.MAX_BYTES) == "64 KB" and photos._size(10 * 1024 * 1024) == "10 MB"


def test_heic_photos_from_phones_are_kept_as_jpeg(app, damaged):
    client, tote, _ = damaged
    assert upload(client, {f"photos-{tote}": [(heic(), "IMG_1.HEIC")]}).status_code == 303
    [photo] = stored(app)
    assert photo.content_type == "image/jpeg"
    with Image.open(Path(app.config["RETURN_PHOTOS_DIR"]) / photo.file_name) as kept:
        assert kept.size == (320, 240)


def test_three_photos_an_item_at_most(app, damaged):
    client, tote, tee = damaged
    four = [(jpeg_with_position(), f"p{n}.jpg") for n in range(4)]
    sent = upload(client, {f"photos-{tote}": four, f"photos-{tee}": four[:1]})
    assert "Only 3 photos of each item can be attached." in sent.get_data(as_text=True)
    assert [(p.original_name, p.order_line_id) for p in stored(app)] == [
        ("p0.jpg", tote),
        ("p1.jpg", tote),
        ("p2.jpg", tote),
    ]  # the tee's reason asks for no photos: nothing is kept for it


def test_only_staff_see_the_photos(app, damaged):
    client, tote, _ = damaged
    upload(client, {f"photos-{tote}": [(jpeg_with_position(), "tote.jpg")]})
    confirm(client)
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        url = f"/staff/returns/{ret.rma_number}/photos/{ret.photos[0].id}"
    assert client.get(url).status_code in (302, 303)  # to the staff sign-in
    agent = signed_in(app, "agent")
    shown = agent.get(url)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(shown.data)).size == (640, 480)
    shown.close()
    editor = signed_in(app, "editor")
    assert editor.get(url).status_code == 403
    other = url.replace(ret.rma_number, "RMA-OTHER")
    assert agent.get(other).status_code == 404


def test_the_agent_sees_each_items_photos_on_the_return_page(app, damaged):
    client, tote, _ = damaged
    upload(client, {f"photos-{tote}": [(jpeg_with_position(), "tote.jpg")]})
    confirm(client)
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        rma, photo_id = ret.rma_number, ret.photos[0].id
    page = signed_in(app, "agent").get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert f'<img src="/staff/returns/{rma}/photos/{photo_id}"' in page
    assert 'alt="Customer\'s photo 1 of Canvas tote"' in page
