"""Structured data (schema.org JSON-LD) for article pages."""

from typing import Any

from app.content import Article, Category
from app.templating import absolute_url


def article_jsonld(article: Article, category: Category, site_name: str) -> list[dict[str, Any]]:
    url = absolute_url("help.article", path=article.path)
    crumbs = [
        ("Help center", absolute_url("help.home")),
        (category.title, absolute_url("help.category", slug=category.slug)),
        (article.title, url),
    ]
    data: list[dict[str, Any]] = [
        {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": article.title,
            "description": article.summary,
            "url": url,
            "mainEntityOfPage": url,
            "publisher": {"@type": "Organization", "name": site_name},
        },
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": n, "name": name, "item": link}
                for n, (name, link) in enumerate(crumbs, start=1)
            ],
        },
    ]
    if article.updated:
        data[0]["dateModified"] = article.updated.isoformat()
    return data
