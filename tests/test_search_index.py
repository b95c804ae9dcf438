"""Building and updating the index: incremental by content hash, atomic rebuilds, several
readers while a writer works, and a missing or damaged index."""

import multiprocessing
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from app.content import load_library
from app.search import (
    SearchEngine,
    SearchUnavailable,
    build_index,
    update_changed,
    update_index,
    vocabulary,
)
from app.search import engine as engine_module
from app.search.indexer import current_generation
from app.search.query import Synonyms

OPENED: list[SearchEngine] = []


def engine_for(content: Path, index_dir: Path) -> SearchEngine:
    engine = SearchEngine(index_dir, load_library(content), Synonyms())
    OPENED.append(engine)
    return engine


@pytest.fixture(autouse=True)
def close_engines():
    """Each test's engines close their index files when it ends."""
    yield
    while OPENED:
        OPENED.pop().close()


def paths(engine: SearchEngine, text: str) -> list[str]:
    return [hit.path for hit in engine.search(text).hits]


def test_update_applies_only_edits_additions_and_deletions(content_dir, tmp_path):
    index_dir = tmp_path / "index"
    assert update_index(load_library(content_dir), index_dir).full  # nothing yet: full build
    assert (
        str(update_index(load_library(content_dir), index_dir)) == "0 added, 0 changed, 0 deleted"
    )

    (content_dir / "shipping" / "delivery-options.md").write_text(
        "---\ntitle: Delivery options\n---\nCourier drones now deliver on Sundays.\n"
    )
    (content_dir / "shipping" / "new-one.md").write_text("---\ntitle: Gift wrapping\n---\nRibbons.")
    (content_dir / "returns" / "send-it-back.md").unlink()
    report = update_index(load_library(content_dir), index_dir)

    assert (report.added, report.changed, report.deleted) == (
        ["shipping/new-one"],
        ["shipping/delivery-options"],
        ["returns/send-it-back"],
    )
    engine = engine_for(content_dir, index_dir)
    assert paths(engine, "drones") == ["shipping/delivery-options"]
    assert paths(engine, "ribbons") == ["shipping/new-one"]
    assert paths(engine, "printer") == []


def report_of(content: Path, index_dir: Path) -> str | None:
    report = update_changed(content, index_dir)
    return None if report is None else str(report)


def test_an_update_reads_only_the_files_whose_time_or_size_changed(
    content_dir, tmp_path, monkeypatch
):
    index_dir = tmp_path / "index"
    assert report_of(content_dir, index_dir) is None  # no index yet: the library decides
    build_index(load_library(content_dir), index_dir)
    assert report_of(content_dir, index_dir) == "0 added, 0 changed, 0 deleted"

    from app.search import indexer

    read = []
    real_load = indexer.load_article
    monkeypatch.setattr(
        indexer,
        "load_article",
        lambda b, path, *rest: read.append(path.rsplit("/", 1)[-1]) or real_load(b, path, *rest),
    )
    edited = content_dir / "shipping" / "delivery-options.md"
    edited.write_text("---\ntitle: Delivery options\n---\nCourier drones now deliver.\n")
    (content_dir / "shipping" / "Gift Wrapping.md").write_text("---\ntitle: Gifts\n---\nRibbons.")
    (content_dir / "returns" / "send-it-back.md").unlink()
    touched = content_dir / "shipping" / "track-a-parcel.md"
    os.utime(touched, ns=(time.time_ns(), time.time_ns()))  # same words, a new time

    report = update_changed(content_dir, index_dir)
    assert (report.added, report.changed, report.deleted) == (
        ["shipping/gift-wrapping"],
        ["shipping/delivery-options"],
        ["returns/send-it-back"],
    )
    assert sorted(read) == ["Gift Wrapping.md", "delivery-options.md", "track-a-parcel.md"]
    engine = engine_for(content_dir, index_dir)
    assert paths(engine, "drones") == ["shipping/delivery-options"]
    assert paths(engine, "ribbons") == ["shipping/gift-wrapping"]
    assert paths(engine, "printer") == []

    read.clear()
    assert report_of(content_dir, index_dir) == "0 added, 0 changed, 0 deleted"
    assert read == []  # the touched file's new time was remembered too


@pytest.mark.parametrize(
    "change",
    ["categories", "broken file", "clashing path", "no manifest"],
)
def test_an_update_the_files_alone_cannot_decide_is_left_to_the_library(
    content_dir, tmp_path, change
):
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    if change == "categories":
        with open(content_dir / "categories.yml", "a", encoding="utf-8") as file:
            file.write("- slug: gifts\n  title: Gifts\n")
    elif change == "broken file":
        (content_dir / "shipping" / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    elif change == "clashing path":  # the same address as track-a-parcel.md
        (content_dir / "shipping" / "Track A Parcel.md").write_text("---\ntitle: Twin\n---\n")
    else:
        for manifest in current_generation(index_dir).glob("SOURCES-*.json"):
            manifest.unlink()
    assert update_changed(content_dir, index_dir) is None
    update_index(load_library(content_dir), index_dir)  # the library decides, once
    again = report_of(content_dir, index_dir)
    if change in ("broken file", "clashing path"):
        assert again is None  # until the file is mended: `flask content check` says how
    else:
        assert again == "0 added, 0 changed, 0 deleted"


def test_a_manifest_left_by_an_interrupted_update_is_not_trusted(content_dir, tmp_path):
    """The manifest names the commit it describes: an update that committed and then died
    leaves the previous manifest, which no longer matches, and the library decides."""
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    generation = current_generation(index_dir)
    [manifest] = generation.glob("SOURCES-*.json")
    kept = manifest.read_bytes()
    (content_dir / "shipping" / "new.md").write_text("---\ntitle: Quokkas\n---\nQuokka.\n")
    assert report_of(content_dir, index_dir) == "1 added, 0 changed, 0 deleted"
    for newer in generation.glob("SOURCES-*.json"):
        newer.unlink()
    manifest.write_bytes(kept)  # as if the writer stopped before its new manifest
    assert update_changed(content_dir, index_dir) is None


class ExplodingLibrary:
    """A library whose articles fail half-way through a build."""

    def __init__(self, library):
        self._library = library
        self.root = library.root
        self.language = library.language

    @property
    def articles(self):
        return self

    def values(self):
        first = next(iter(self._library.articles.values()))
        yield first
        raise RuntimeError("disk full")


def test_a_failed_rebuild_leaves_the_previous_index_serving(content_dir, tmp_path):
    index_dir = tmp_path / "index"
    library = load_library(content_dir)
    build_index(library, index_dir)
    before = current_generation(index_dir)

    with pytest.raises(RuntimeError, match="disk full"):
        build_index(ExplodingLibrary(library), index_dir)

    assert current_generation(index_dir) == before
    assert [p.name for p in index_dir.iterdir() if p.name.startswith("gen-")] == [before.name]
    assert paths(engine_for(content_dir, index_dir), "parcel") == ["shipping/track-a-parcel"]


def test_readers_notice_a_rebuild_and_an_update(content_dir, tmp_path):
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    engine = engine_for(content_dir, index_dir)
    assert paths(engine, "drones") == []
    assert engine.search("drones") is engine.search("drones")  # a repeat comes from memory

    # ... until the index changes.
    (content_dir / "shipping" / "delivery-options.md").write_text("---\ntitle: D\n---\ndrones")
    engine.library = load_library(content_dir)
    update_index(engine.library, index_dir)
    assert paths(engine, "drones") == ["shipping/delivery-options"]

    (content_dir / "shipping" / "delivery-options.md").write_text("---\ntitle: D\n---\nrobots")
    engine.library = load_library(content_dir)
    build_index(engine.library, index_dir)
    assert paths(engine, "drones") == [] and paths(engine, "robots") == [
        "shipping/delivery-options"
    ]


def test_threads_share_one_open_index_until_it_changes(content_dir, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    engine = engine_for(content_dir, index_dir)
    opened = []

    class CountedView(engine_module.IndexView):
        def __init__(self, *args):
            opened.append(args[0])
            super().__init__(*args)

    monkeypatch.setattr(engine_module, "IndexView", CountedView)
    # A development server answers each request on a new thread.
    found = []
    for word in ["parcel", "refund", "express", "parcel"] * 3:
        thread = threading.Thread(target=lambda w=word: found.append(paths(engine, w)))
        thread.start()
        thread.join()
    assert len(found) == 12 and ["shipping/track-a-parcel"] in found
    assert len(opened) == 1

    (content_dir / "shipping" / "delivery-options.md").write_text("---\ntitle: D\n---\ndrones")
    engine.library = load_library(content_dir)
    update_index(engine.library, index_dir)
    for _ in range(3):
        assert paths(engine, "drones") == ["shipping/delivery-options"]
    assert len(opened) == 2


def test_an_update_within_the_same_timestamp_tick_is_still_noticed(
    content_dir, tmp_path, monkeypatch
):
    """On a file system with coarse timestamps, a second update can leave the index folder's
    time unchanged: a view checked too soon after a change keeps asking Whoosh, however long
    it is then left alone."""
    monkeypatch.setattr(engine_module, "RACY_NS", 1_000_000_000)
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    engine = engine_for(content_dir, index_dir)
    generation = current_generation(index_dir)
    tick = os.stat(generation).st_mtime_ns
    assert paths(engine, "drones") == []  # checked at once: not settled yet
    (content_dir / "shipping" / "delivery-options.md").write_text("---\ntitle: D\n---\ndrones")
    engine.library = load_library(content_dir)
    update_index(engine.library, index_dir)
    os.utime(generation, ns=(tick, tick))  # the same tick as before the update
    time.sleep(1.1)  # longer than the racy window
    assert paths(engine, "drones") == ["shipping/delivery-options"]


def test_threads_searching_at_once_get_their_own_answers(content_dir, tmp_path):
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    engine = engine_for(content_dir, index_dir)
    expected = {w: paths(engine, w) for w in ["parcel", "refund", "express"]}
    wrong = []

    def search(word: str) -> None:
        for n in range(30):
            # A new query each time: answered by the index, not from memory.
            if paths(engine, f"{word} zz{n}") != expected[word]:
                wrong.append(word)

    threads = [threading.Thread(target=search, args=(w,)) for w in expected for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def _read_repeatedly(content: str, index_dir: str, rounds: int, queue) -> None:
    engine = engine_for(Path(content), Path(index_dir))
    failures = 0
    for _ in range(rounds):
        try:
            if paths(engine, "parcel") != ["shipping/track-a-parcel"]:
                failures += 1
        except Exception:  # noqa: BLE001 - any error counts as a failure
            failures += 1
    queue.put(failures)


def _rebuild_repeatedly(content: str, index_dir: str, rounds: int) -> None:
    library = load_library(Path(content))
    for _ in range(rounds):
        build_index(library, index_dir)


def test_two_processes_read_while_a_third_rebuilds(content_dir, tmp_path):
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    readers = [
        context.Process(
            target=_read_repeatedly, args=(str(content_dir), str(index_dir), 150, queue)
        )
        for _ in range(2)
    ]
    writer = context.Process(
        target=_rebuild_repeatedly, args=(str(content_dir), str(index_dir), 15)
    )
    for process in [*readers, writer]:
        process.start()
    for process in [*readers, writer]:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert [queue.get(timeout=5) for _ in readers] == [0, 0]


def test_missing_index_is_unavailable_not_an_error(content_dir, tmp_path):
    engine = engine_for(content_dir, tmp_path / "never-built")
    with pytest.raises(SearchUnavailable):
        engine.search("parcel")


# Whoosh leaves a file open when it fails to parse a damaged table of contents.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_damaged_index_is_unavailable_and_a_rebuild_repairs_it(content_dir, tmp_path):
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    generation = current_generation(index_dir)
    for file in generation.iterdir():
        if file.suffix in (".toc", ".seg", ".trm", ".pst"):
            file.write_bytes(b"garbage")
    engine = engine_for(content_dir, index_dir)
    with pytest.raises(SearchUnavailable):
        engine.search("parcel")
    build_index(load_library(content_dir), index_dir)
    assert paths(engine, "parcel") == ["shipping/track-a-parcel"]


def test_content_index_command_rebuilds_and_updates(app, content_dir):
    runner = app.test_cli_runner()
    shutil.rmtree(app.config["INDEX_DIR"])
    full = runner.invoke(args=["content", "index"])
    assert full.exit_code == 0 and "full build: 3 articles" in full.output
    changed = runner.invoke(args=["content", "index", "--changed"])
    assert "0 added, 0 changed, 0 deleted" in changed.output


def test_articles_still_serve_when_the_index_is_gone(app, client):
    shutil.rmtree(app.config["INDEX_DIR"])
    assert client.get("/articles/shipping/track-a-parcel").status_code == 200
    response = client.get("/search?q=parcel")
    assert response.status_code == 503
    assert "Search is briefly unavailable" in response.get_data(as_text=True)
    api = client.get("/api/search?q=parcel")
    assert api.status_code == 503 and "unavailable" in api.get_json()["error"]


def test_a_running_reader_drops_changed_and_deleted_copies(content_dir, tmp_path):
    for name in ("first", "second"):
        (content_dir / "shipping" / f"{name}.md").write_text(
            f"---\ntitle: {name}\n---\nQuokka parcels travel well.\n"
        )
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    engine = engine_for(content_dir, index_dir)
    assert engine.search("quokka").total == 2

    (content_dir / "shipping" / "first.md").write_text("---\ntitle: first\n---\nQuokka again.\n")
    (content_dir / "shipping" / "second.md").unlink()
    engine.library = load_library(content_dir)
    report = update_index(engine.library, index_dir)
    assert report.changed == ["shipping/first"] and report.deleted == ["shipping/second"]

    results = engine.search("quokka")
    assert results.total == 1 and paths(engine, "quokka") == ["shipping/first"]
    assert sum(results.facets["type"].values()) == 1


def test_an_index_without_articles_answers_with_nothing(content_dir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(content_dir / "categories.yml", empty / "categories.yml")
    build_index(load_library(empty), tmp_path / "index")
    results = engine_for(empty, tmp_path / "index").search("parcel")
    assert results.total == 0 and results.hits == []


def test_commands_and_app_start_up_leave_the_index_to_whoever_needs_it(make_app):
    """Making the app (every CLI command does) neither loads the articles nor touches the
    index: a web worker opens it before its first request, a development server at its
    first search, and `flask content index` builds it."""
    app = make_app(warm=False)
    index_dir = Path(app.config["INDEX_DIR"])
    assert not index_dir.exists()
    command = ["users", "create", "ana@example.com", "--role", "agent"]
    created = app.test_cli_runner().invoke(args=command, input="plum-kite-harbour-71\n")
    assert created.exit_code == 0, created.output
    assert not index_dir.exists()
    assert app.test_client().get("/api/search?q=parcel").get_json()["total"] == 1
    assert current_generation(index_dir) is not None


def vocabulary_of(index_dir: Path) -> dict[str, int]:
    """The words the serving commit's typo matching knows, with their article counts."""
    generation = current_generation(index_dir)
    with whoosh_index.open_dir(str(generation)).searcher() as searcher:
        return dict(vocabulary.load(generation, searcher))


def test_updates_keep_the_vocabulary_counts_a_full_build_would_make(content_dir, tmp_path):
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    assert vocabulary_of(index_dir)["parcel"] == 1
    assert "wombat" not in vocabulary_of(index_dir)

    (content_dir / "shipping" / "wombats.md").write_text("---\ntitle: Wombat parcels\n---\nx\n")
    (content_dir / "returns" / "send-it-back.md").unlink()
    edited = content_dir / "shipping" / "delivery-options.md"
    edited.write_text("---\ntitle: Delivery options\n---\nA wombat delivers.\n")
    assert str(update_changed(content_dir, index_dir)) == "1 added, 1 changed, 1 deleted"
    updated = vocabulary_of(index_dir)
    assert updated["wombat"] == 2 and updated["parcel"] == 1 and updated["parcels"] == 1
    assert "printer" not in updated and "express" not in updated  # deleted, edited away

    fresh = tmp_path / "fresh"
    build_index(load_library(content_dir), fresh)
    assert updated == vocabulary_of(fresh)


def test_a_commit_without_its_vocabulary_counts_the_stored_words_again(content_dir, tmp_path):
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    counted = vocabulary_of(index_dir)
    for file in current_generation(index_dir).glob("VOCAB-*.json"):
        file.unlink()
    assert vocabulary_of(index_dir) == counted
    assert engine_for(content_dir, index_dir).search("parcl").suggestion == "parcel"


def test_one_article_updates_leave_two_segments_not_one_each(content_dir, tmp_path):
    for number in range(30):
        (content_dir / "shipping" / f"extra-{number}.md").write_text(
            f"---\ntitle: Extra {number}\n---\nFiller words.\n"
        )
    index_dir = tmp_path / "index"
    build_index(load_library(content_dir), index_dir)
    for number in range(4):
        (content_dir / "shipping" / f"extra-{number}.md").write_text(
            f"---\ntitle: Extra {number}\n---\nEdited {number}.\n"
        )
        assert update_changed(content_dir, index_dir).changed == [f"shipping/extra-{number}"]
    segments = {f.name.split(".")[0] for f in current_generation(index_dir).glob("*.trm")}
    assert len(segments) == 2
    found = paths(engine_for(content_dir, index_dir), "edited")
    assert sorted(found) == [f"shipping/extra-{n}" for n in range(4)]
