"""`flask content check`."""

from tests.conftest import ARTICLES, ROOT, write_content


def test_content_check_passes_on_the_shipped_content(make_app):
    app = make_app(CONTENT_DIR=str(ROOT / "content"))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "categories, no problems." in result.output


def test_content_check_passes_on_articles_without_a_return_policy(make_app, content_dir):
    (content_dir / "returns-policy.yml").unlink()
    result = make_app().test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "3 article(s) in 2 categories, no problems." in result.output


def test_content_check_names_policy_articles_that_dont_exist(make_app, content_dir):
    policy = content_dir / "returns-policy.yml"
    text = (ROOT / "content" / "returns-policy.yml").read_text(encoding="utf-8")
    policy.write_text(text.replace("sizing-care/shoe-size-guide]", "shipping/track-a-parcel]"))
    result = make_app().test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    wanted = "returns-policy.yml:{}: reason too_small: article 'sizing-care/clothing-size-guide'"
    number = text.splitlines().index("    articles: [sizing-care/clothing-size-guide]") + 1
    assert wanted.format(number) + " not found" in lines
    assert not any("shipping/track-a-parcel" in line for line in lines)
    assert not any("shoe-size-guide" in line for line in lines)


def test_content_check_lists_each_problem_and_fails(tmp_path, make_app):
    articles = dict(ARTICLES)
    articles["shipping/bad-yaml.md"] = "---\ntitle: x\ntags: [a\n---\n"
    articles["shipping/untitled.md"] = "---\nsummary: s\n---\n"
    articles["returns/linked.md"] = "---\ntitle: L\nrelated:\n  - returns/gone\n---\n"
    app = make_app(CONTENT_DIR=str(write_content(tmp_path / "c", articles)))

    result = app.test_cli_runner().invoke(args=["content", "check"])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("shipping/bad-yaml.md:4: malformed YAML") for line in lines)
    assert "shipping/untitled.md:1: missing required key: title" in lines
    assert "returns/linked.md:4: related article 'returns/gone' not found" in lines
    assert "3 problem(s); 4 article(s) load." in lines


def test_content_check_on_a_missing_folder_says_so(tmp_path, make_app):
    app = make_app(CONTENT_DIR=str(tmp_path / "missing"))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "is not a folder" in result.output


def test_content_check_names_the_line_of_a_broken_policy(make_app, content_dir):
    policy = content_dir / "returns-policy.yml"
    text = policy.read_text(encoding="utf-8").replace("  home: 60", "  home: a season")
    policy.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  home: a season") + 1
    assert line != 1
    result = make_app().test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert (
        f"returns-policy.yml:{line}: category_windows: home must be a whole number" in result.output
    )


def test_content_check_gives_no_line_when_the_policy_problem_has_none(make_app, content_dir):
    (content_dir / "returns-policy.yml").write_bytes(b"window_days: \xff\n")
    result = make_app().test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    problem = next(line for line in result.output.splitlines() if "not UTF-8" in line)
    assert problem.startswith("returns-policy.yml: ") and problem.endswith("is not UTF-8 text")
