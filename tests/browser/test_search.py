"""Search in a real browser: instant results with JavaScript, the results page without."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import SearchClick, SearchEvent


@pytest.fixture
def js_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_instant_results_are_keyboard_navigable_and_announced(app, live_url, js_page):
    page = js_page
    page.goto(live_url + "/")
    box = page.get_by_role("combobox", name="Search for answers")
    box.press_sequentially("parcl", delay=30)  # a typo: still found
    listbox = page.get_by_role("listbox", name="Suggested articles")
    expect(listbox.get_by_role("option").first).to_contain_text("How do I track my parcel?")
    expect(page.locator("[aria-live=polite]")).to_contain_text("1 article found")
    expect(box).to_have_attribute("aria-expanded", "true")

    box.press("ArrowDown")
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("How do I track my parcel?")

    with app.app_context():
        recorded = db.session.execute(select(SearchEvent.query_normalized)).scalars().all()
        click = db.session.execute(select(SearchClick)).scalar_one()
    assert recorded == ["parcl"]  # the settled query once, not each keystroke
    assert (click.article_path, click.position) == ("shipping/track-a-parcel", 1)


def test_results_page_without_javascript(app, live_url, no_js_page):
    page = no_js_page
    page.goto(live_url + "/")
    page.get_by_label("Search for answers").fill("label printer")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("for “label printer”")
    result = page.get_by_role("link", name="Send an item back step by step")
    expect(result).to_be_visible()
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send an item back step by step")
    page.go_back()
    expect(page.get_by_role("status")).to_contain_text("for “label printer”")
    with app.app_context():
        assert db.session.execute(select(SearchClick.article_path)).scalar_one() == (
            "returns/send-it-back"
        )


def test_no_results_page_offers_a_way_forward(live_url, no_js_page):
    no_js_page.goto(live_url + "/search?q=zeppelin")
    expect(
        no_js_page.get_by_role("heading", name="We couldn't find an article for that")
    ).to_be_visible()
    expect(no_js_page.get_by_role("link", name="all topics")).to_be_visible()


def test_no_results_page_offers_articles_with_similar_words(live_url, page):
    page.goto(live_url + "/")
    page.get_by_label("Search for answers").fill("tracker")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("0 results for “tracker”")
    empty = page.get_by_role("region", name="We couldn't find an article for that")
    expect(empty.get_by_role("heading", name="Articles with similar words")).to_be_visible()
    expect(empty).to_contain_text("Found by searching for track instead.")
    expect(empty.get_by_role("heading", name="Popular articles")).to_be_visible()
    empty.get_by_role("link", name="How do I track my parcel?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How do I track my parcel?")
    page.go_back()
    page.get_by_role("link", name="track", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 result for “track”")


def test_escape_closes_the_suggestions_and_keeps_what_was_typed(live_url, js_page):
    page = js_page
    page.goto(live_url + "/")
    box = page.get_by_role("combobox", name="Search for answers")
    box.press_sequentially("parcel", delay=30)
    listbox = page.get_by_role("listbox", name="Suggested articles")
    expect(listbox).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("parcel")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")
    expect(page).to_have_url(live_url + "/search?q=parcel")


def test_phones_get_three_suggestions(browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_url + "/")
    with page.expect_response(lambda r: "/api/search" in r.url) as answered:
        page.get_by_role("combobox", name="Search for answers").press_sequentially("the", delay=30)
    assert "limit=3" in answered.value.url
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_article_and_returns_page_has_a_search_box(browser, live_url, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    for path in ("/articles/shipping/track-a-parcel", "/returns/"):
        page.goto(live_url + path)
        search = page.get_by_role("search", name="Help center")
        expect(search).to_have_count(1)
        search.get_by_role("searchbox" if not javascript else "combobox").fill("delivery options")
        search.get_by_role("button", name="Search").click()
        expect(page).to_have_url(live_url + "/search?q=delivery+options")
        expect(page.get_by_role("link", name="Delivery options")).to_be_visible()
    page.goto(live_url + "/")
    expect(page.get_by_role("search")).to_have_count(1)  # the home page's own box only
    context.close()
