"""Loading CONTENT_DIR: front matter, categories, and files that must be skipped."""

from datetime import date

from app.content import library as library_module
from app.content import load_library
from tests.conftest import ARTICLES, write_content


def test_loads_articles_with_identity_from_the_file_path(content_dir):
    library = load_library(content_dir)
    assert sorted(library.articles) == [
        "returns/send-it-back",
        "shipping/delivery-options",
        "shipping/track-a-parcel",
    ]
    article = library.get("shipping/track-a-parcel")
    assert article.title == "How do I track my parcel?"
    assert article.category == "shipping"
    assert article.type == "faq"
    assert article.tags == ("tracking", "delivery")
    assert article.aliases == ("where is my package",)
    assert article.related == ("returns/send-it-back",)
    assert article.updated == date(2026, 9, 1)
    assert library.problems == []


def test_keys_from_other_help_center_generators_are_mapped(content_dir):
    article = load_library(content_dir).get("shipping/delivery-options")
    assert article.summary == "Standard, express and pickup, with prices."  # description
    assert article.order == 20  # weight
    assert article.tags == ("express", "pickup")  # keywords as a comma string
    assert article.type == "faq"  # the default


def test_categories_follow_categories_yml_order_and_list_their_articles(content_dir):
    library = load_library(content_dir)
    assert [c.slug for c in library.categories] == ["shipping", "returns"]
    shipping = library.category("shipping")
    assert shipping.title == "Shipping & delivery"
    assert [a.path for a in shipping.articles] == [
        "shipping/track-a-parcel",
        "shipping/delivery-options",
    ]
    assert [a.path for a in library.category("returns").tutorials] == ["returns/send-it-back"]


def test_category_from_front_matter_title_or_from_an_unlisted_folder(tmp_path):
    root = write_content(
        tmp_path / "c",
        {
            "misc/a.md": "---\ntitle: A\ncategory: Returns\n---\nBody\n",
            "gift-cards/b.md": "---\ntitle: B\nsub_category: Balance\nnav_title: Bee\n---\nBody",
        },
    )
    library = load_library(root)
    assert library.get("misc/a").category == "returns"
    b = library.get("gift-cards/b")
    assert (b.category, b.sub_category, b.nav_title) == ("gift-cards", "Balance", "Bee")
    assert library.category("gift-cards").title == "Gift cards"


def test_unknown_keys_are_ignored(tmp_path):
    root = write_content(tmp_path / "c", {"x/a.md": "---\ntitle: A\nlayout: wide\nfoo: 1\n---\n"})
    library = load_library(root)
    assert library.get("x/a").title == "A"
    assert library.problems == []


def test_malformed_files_are_skipped_and_reported_with_lines(tmp_path, caplog):
    articles = dict(ARTICLES)
    articles["shipping/broken-yaml.md"] = "---\ntitle: Fine\ntags: [unclosed\n---\nBody\n"
    articles["shipping/no-title.md"] = "---\nsummary: No title here\n---\nBody\n"
    articles["shipping/never-closed.md"] = "---\ntitle: Open\n\nBody\n"
    articles["shipping/not-a-map.md"] = "---\n- a\n- b\n---\nBody\n"
    articles["shipping/Track-A-Parcel.markdown"] = "---\ntitle: Clash\n---\n"
    root = write_content(tmp_path / "c", articles)
    (root / "shipping" / "latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")

    library = load_library(root)

    assert len(library.articles) == 3  # the good ones still load
    reported = {str(p) for p in library.problems}
    assert any(p.startswith("shipping/broken-yaml.md:4: malformed YAML") for p in reported)
    assert "shipping/no-title.md:1: missing required key: title" in reported
    assert "shipping/never-closed.md:1: front matter opened with --- but never closed" in reported
    assert "shipping/not-a-map.md:2: front matter must be a mapping of keys to values" in reported
    assert any(p.startswith("shipping/latin1.md:1: file is not UTF-8") for p in reported)
    assert any("duplicate path 'shipping/track-a-parcel'" in p for p in reported)
    assert "content problem: shipping/no-title.md:1" in caplog.text


def test_broken_related_link_is_reported_on_its_line_and_dropped(tmp_path):
    root = write_content(
        tmp_path / "c",
        {
            "a/one.md": "---\ntitle: One\nrelated:\n  - a/two\n  - a/missing\n---\n",
            "a/two.md": "---\ntitle: Two\n---\n",
        },
    )
    library = load_library(root)
    assert [str(p) for p in library.problems] == [
        "a/one.md:5: related article 'a/missing' not found"
    ]
    assert [a.path for a in library.related_to(library.get("a/one"))] == ["a/two"]


def test_related_accepts_urls_and_file_names(tmp_path):
    root = write_content(
        tmp_path / "c",
        {
            "a/one.md": "---\ntitle: One\nrelated: [/articles/a/two, a/three.md]\n---\n",
            "a/two.md": "---\ntitle: Two\n---\n",
            "a/three.md": "---\ntitle: Three\n---\n",
        },
    )
    library = load_library(root)
    assert library.get("a/one").related == ("a/two", "a/three")
    assert library.problems == []


def test_soft_problems_keep_the_article(tmp_path):
    root = write_content(
        tmp_path / "c",
        {"a/x.md": "---\ntitle: X\ntype: howto\nupdated: someday\norder: first\n---\nBody"},
    )
    library = load_library(root)
    article = library.get("a/x")
    assert (article.type, article.updated, article.order) == ("faq", None, 0)
    assert [str(p) for p in library.problems] == [
        "a/x.md:3: type must be faq or tutorial, not 'howto'",
        "a/x.md:4: updated must be a date like 2026-05-31",
        "a/x.md:5: order must be a whole number",
    ]


def test_missing_content_folder_gives_an_empty_library(tmp_path):
    library = load_library(tmp_path / "nowhere")
    assert library.articles == {} and library.categories == []


def test_recently_updated_is_newest_first(content_dir):
    library = load_library(content_dir)
    assert [a.path for a in library.recently_updated(2)] == [
        "returns/send-it-back",
        "shipping/delivery-options",
    ]


def count_renders(monkeypatch) -> list[str]:
    """The Markdown bodies rendered from now on."""
    rendered = []
    render = library_module.render

    def counted(source):
        rendered.append(source)
        return render(source)

    monkeypatch.setattr(library_module, "render", counted)
    return rendered


def test_bodies_are_rendered_when_first_read_and_the_least_recent_let_go(content_dir, monkeypatch):
    rendered = count_renders(monkeypatch)
    library = load_library(content_dir, cache_size=2)
    assert rendered == []  # loading reads front matter only
    track, options, send = (
        library.get(p)
        for p in ("shipping/track-a-parcel", "shipping/delivery-options", "returns/send-it-back")
    )
    assert "Open the link in your shipping email" in track.html
    assert track.text == "Open the link in your shipping email to see where your parcel is."
    assert track.toc == ()
    assert len(rendered) == 1
    assert "<table>" in options.html
    assert [(h.level, h.text) for h in send.toc][:2] == [
        (2, "Before you start"),
        (2, "Print the label"),
    ]
    assert len(rendered) == 3 and library.bodies.cache_info().currsize == 2
    assert "<table>" in options.html  # still kept
    assert "Open the link" in track.html  # let go, rendered again
    assert len(rendered) == 4


def test_a_file_changed_or_removed_after_loading(content_dir, caplog):
    library = load_library(content_dir)
    article = library.get("shipping/track-a-parcel")
    source = content_dir / "shipping" / "track-a-parcel.md"
    source.write_text(source.read_text().replace("Open the link", "Follow the link"))
    assert "Follow the link" in article.html  # what the file says now
    assert "article shipping/track-a-parcel changed since the library was loaded" in caplog.text
    other = library.get("returns/send-it-back")
    (content_dir / "returns" / "send-it-back.md").unlink()
    assert (other.html, other.text, other.toc) == ("", "", ())
    assert "article returns/send-it-back can no longer be read" in caplog.text


def test_exported_file_names_get_lowercase_hyphenated_paths(tmp_path):
    root = write_content(
        tmp_path / "c",
        {
            "Store Support/Shipping/Track-your-order.md": "---\ntitle: Track\n---\nBody\n",
            "Store Support/Licensing & Counterfeits/Spot a fake.md": (
                "---\ntitle: Fake\nrelated: [Store Support/Shipping/Track-your-order]\n---\nB\n"
            ),
            "Guides/Use version 1.8.md": "---\ntitle: Old\n---\nBody\n",
            "Guides/...md": "---\ntitle: Dots\n---\nBody\n",
        },
    )
    library = load_library(root)
    assert sorted(library.articles) == [
        "guides/untitled",
        "guides/use-version-1.8",
        "store-support/licensing-counterfeits/spot-a-fake",
        "store-support/shipping/track-your-order",
    ]
    fake = library.get("store-support/licensing-counterfeits/spot-a-fake")
    assert fake.category == "store-support"
    assert fake.related == ("store-support/shipping/track-your-order",)
    assert fake.source == "Store Support/Licensing & Counterfeits/Spot a fake.md"
    assert library.problems == []


def test_names_that_slug_alike_are_reported_as_one_path(tmp_path):
    root = write_content(
        tmp_path / "c",
        {
            "faq/Track Order.md": "---\ntitle: A\n---\nA\n",
            "faq/track-order.md": "---\ntitle: B\n---\nB\n",
        },
    )
    library = load_library(root)
    assert list(library.articles) == ["faq/track-order"]
    assert [p.message for p in library.problems] == [
        "duplicate path 'faq/track-order' (also faq/Track Order.md)"
    ]


def test_intro_is_a_summary(tmp_path):
    root = write_content(
        tmp_path / "c", {"docs/a.md": "---\ntitle: A\nintro: Short intro.\n---\nB"}
    )
    assert load_library(root).get("docs/a").summary == "Short intro."
