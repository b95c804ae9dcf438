"""`make bench`: run every benchmark and print its table."""

import logging

from tests.bench import http_search, insights, pages, returns, search, throughput


def main() -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    pages.run()
    returns.run()
    search.run()
    http_search.run()
    insights.run()
    throughput.run()


if __name__ == "__main__":
    main()
