"""`make bench`: run every benchmark and print its table."""

import logging

from tests.bench import pages


def main() -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    pages.run()


if __name__ == "__main__":
    main()
