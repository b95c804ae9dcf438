"""Product photos on the returns page: shown only from the sites the shop lists, which the
pages' Content-Security-Policy then allows."""

import re

from tests.returns_helpers import LINES, look_up, make_order

TEE = {**LINES[0], "image_url": "https://cdn.shop.example/tee.jpg"}
OTHER = {**LINES[1], "image_url": "https://elsewhere.example/sock.jpg"}


def test_a_product_photo_shows_when_its_site_is_listed(make_app):
    app = make_app(PRODUCT_IMAGE_ORIGINS=("https://cdn.shop.example",))
    make_order(app, lines=[TEE, OTHER])
    client = app.test_client()
    look_up(client)
    page = client.get("/returns/start")
    images = re.findall(r'<img class="product-image" src="([^"]+)" alt=""', page.text)
    assert images == ["https://cdn.shop.example/tee.jpg"]  # not the unlisted site's photo
    policy = page.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://cdn.shop.example;" in policy


def test_without_listed_sites_no_product_photo_is_shown(app):
    make_order(app, lines=[TEE])
    client = app.test_client()
    look_up(client)
    page = client.get("/returns/start")
    assert "product-image" not in page.text
    assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]


def test_listed_sites_must_be_https_origins():
    import pytest

    from app.config import origins

    assert origins(" https://a.example , https://b.example:8443/ ") == (
        "https://a.example",
        "https://b.example:8443",
    )
    for bad in ("http://a.example", "a.example", "https://a.example/images"):
        with pytest.raises(ValueError, match="PRODUCT_IMAGE_ORIGINS"):
            origins(bad)
