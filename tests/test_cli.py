"""`flask content check`."""

from tests.conftest import ARTICLES, write_content


def test_content_check_passes_on_good_content(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "3 article(s) in 2 categories, no problems." in result.output


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
