"""A customer reads the help center and says whether an article helped, with and without JS."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import ArticleViewDaily, Vote


def test_browse_read_and_vote_no_with_a_reason(app, live_url, page):
    page.goto(live_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help?")

    page.get_by_role("link", name="Shipping & delivery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shipping & delivery")

    page.get_by_role("link", name="How do I track my parcel?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How do I track my parcel?")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Shipping & delivery")

    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("Was this article helpful?")
    feedback.get_by_role("button", name="No").click()
    expect(feedback).to_contain_text("What went wrong?")

    feedback.get_by_label("It was hard to understand").check()
    feedback.get_by_label("Anything else you'd like to tell us?").fill("Which email has the link?")
    feedback.get_by_role("button", name="Send feedback").click()
    expect(feedback).to_contain_text("we've noted your feedback")

    page.reload()
    expect(page.locator("#feedback")).to_contain_text("It was hard to understand")
    expect(page.get_by_label("It was hard to understand")).to_be_checked()

    with app.app_context():
        [vote] = db.session.execute(select(Vote)).scalars().all()
    assert (vote.article_path, vote.helpful, vote.reason, vote.comment) == (
        "shipping/track-a-parcel",
        False,
        "unclear",
        "Which email has the link?",
    )


def test_tutorial_contents_links_jump_to_sections(live_url, page):
    page.goto(live_url + "/articles/returns/send-it-back")
    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Print the label"
    ).click()
    assert page.url.endswith("#print-the-label")
    expect(page.get_by_role("heading", name="Print the label")).to_be_in_viewport()


def test_keyboard_user_can_skip_to_content_and_vote(app, live_url, page):
    page.goto(live_url + "/articles/shipping/track-a-parcel")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_role("button", name="Yes").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#feedback")).to_contain_text("Thanks for letting us know it helped.")
    with app.app_context():
        assert db.session.execute(select(Vote.helpful)).scalar_one() is True


def test_reading_an_article_counts_one_view(app, live_url, page):
    """The page may come from a shared cache; the image it loads to count itself never does,
    with or without JavaScript."""
    page.goto(live_url + "/articles/shipping/track-a-parcel")
    expect(page.get_by_role("heading", level=1)).to_have_text("How do I track my parcel?")
    page.wait_for_load_state("load")
    with app.app_context():
        views = db.session.execute(select(ArticleViewDaily.views)).scalars().all()
    assert views == [1]
