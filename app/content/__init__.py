"""The help center's articles: loading Markdown and front matter from CONTENT_DIR, rendering
and sanitising an article when it is first read, and checking the folder for problems. No
Flask views live here."""

from app.content.frontmatter import ARTICLE_TYPES
from app.content.library import Article, Category, Library, Problem, load_library

__all__ = ["ARTICLE_TYPES", "Article", "Category", "Library", "Problem", "load_library"]
