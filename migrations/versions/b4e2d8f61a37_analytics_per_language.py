"""analytics per language: searches, views, votes, daily counters and content gaps

Revision ID: b4e2d8f61a37
Revises: 7a1c3e5b9d20
Create Date: 2026-12-05 20:30:00.000000

Everything recorded before is English (the only language the site had). The daily search
counters gain the language in their primary key, so they are copied into new tables; going
back adds the languages up again, and drops the gap decisions that only exist per language.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e2d8f61a37'
down_revision = '7a1c3e5b9d20'
branch_labels = None
depends_on = None

DAILY = (
    "query_normalized, day, searches, zero_results, clicked_searches, clicks, position_sum,"
    " example, last_seen, last_zero_at"
)
TOTALS = "day, searches, zero_results, clicked_searches"


def _language():
    return sa.Column('language', sa.String(length=8), server_default='en', nullable=False)


def _search_daily(name, with_language):
    return op.create_table(name,
    *([sa.Column('language', sa.String(length=8), nullable=False)] if with_language else []),
    sa.Column('query_normalized', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.Column('zero_results', sa.Integer(), nullable=False),
    sa.Column('clicked_searches', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('position_sum', sa.Integer(), nullable=False),
    sa.Column('example', sa.String(length=200), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_zero_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint(
        *(['language'] if with_language else []), 'query_normalized', 'day',
        name=op.f('pk_search_daily')
    ),
    sqlite_with_rowid=False
    )


def _search_day_totals(name, with_language):
    return op.create_table(name,
    sa.Column('day', sa.Date(), nullable=False),
    *([sa.Column('language', sa.String(length=8), nullable=False)] if with_language else []),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.Column('zero_results', sa.Integer(), nullable=False),
    sa.Column('clicked_searches', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint(
        'day', *(['language'] if with_language else []), name=op.f('pk_search_day_totals')
    )
    )


def _set_aside(table):
    """Rename a table out of the way, with its primary key (PostgreSQL names it globally)."""
    op.rename_table(table, f'{table}_old')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE {table}_old RENAME CONSTRAINT pk_{table} TO pk_{table}_old')


def upgrade():
    with op.batch_alter_table('search_events', schema=None) as batch_op:
        batch_op.add_column(_language())
        batch_op.add_column(sa.Column('answered_in', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('answered_by', sa.JSON(), nullable=True))
        batch_op.create_index(
            'ix_search_events_answered_in_created', ['answered_in', 'created_at'], unique=False
        )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(_language())
    with op.batch_alter_table('article_views_daily', schema=None) as batch_op:
        batch_op.add_column(_language())
        batch_op.drop_constraint('uq_article_views_daily_article_path_day', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_article_views_daily_article_path_day_language'),
            ['article_path', 'day', 'language'],
        )
    with op.batch_alter_table('content_gaps', schema=None) as batch_op:
        batch_op.add_column(_language())
        batch_op.drop_constraint('uq_content_gaps_kind_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_content_gaps_kind_language_key'), ['kind', 'language', 'key']
        )

    _set_aside('search_daily')
    _search_daily('search_daily', with_language=True)
    op.execute(
        f"INSERT INTO search_daily (language, {DAILY}) SELECT 'en', {DAILY} FROM search_daily_old"
    )
    op.drop_table('search_daily_old')
    _set_aside('search_day_totals')
    _search_day_totals('search_day_totals', with_language=True)
    op.execute(
        f"INSERT INTO search_day_totals (language, {TOTALS})"
        f" SELECT 'en', {TOTALS} FROM search_day_totals_old"
    )
    op.drop_table('search_day_totals_old')


def downgrade():
    _set_aside('search_day_totals')
    _search_day_totals('search_day_totals', with_language=False)
    op.execute(
        f"INSERT INTO search_day_totals ({TOTALS}) SELECT day, sum(searches), sum(zero_results),"
        " sum(clicked_searches) FROM search_day_totals_old GROUP BY day"
    )
    op.drop_table('search_day_totals_old')
    _set_aside('search_daily')
    _search_daily('search_daily', with_language=False)
    op.execute(
        f"INSERT INTO search_daily ({DAILY}) SELECT query_normalized, day, sum(searches),"
        " sum(zero_results), sum(clicked_searches), sum(clicks), sum(position_sum),"
        " max(example), max(last_seen), max(last_zero_at)"
        " FROM search_daily_old GROUP BY query_normalized, day"
    )
    op.drop_table('search_daily_old')

    # Decisions on gaps that were one language's only, or of a kind that needs languages.
    op.execute("DELETE FROM content_gaps WHERE language != 'en' OR kind = 'translate'")
    with op.batch_alter_table('content_gaps', schema=None) as batch_op:
        batch_op.drop_constraint('uq_content_gaps_kind_language_key', type_='unique')
        batch_op.create_unique_constraint('uq_content_gaps_kind_key', ['kind', 'key'])
        batch_op.drop_column('language')

    # One row per article and day again: the other languages' views added to it.
    op.execute(
        "CREATE TABLE article_views_merged AS SELECT article_path, day, sum(views) AS views"
        " FROM article_views_daily GROUP BY article_path, day"
    )
    op.execute("DELETE FROM article_views_daily")
    with op.batch_alter_table('article_views_daily', schema=None) as batch_op:
        batch_op.drop_constraint('uq_article_views_daily_article_path_day_language', type_='unique')
        batch_op.create_unique_constraint(
            'uq_article_views_daily_article_path_day', ['article_path', 'day']
        )
        batch_op.drop_column('language')
    op.execute(
        "INSERT INTO article_views_daily (article_path, day, views)"
        " SELECT article_path, day, views FROM article_views_merged"
    )
    op.drop_table('article_views_merged')

    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('search_events', schema=None) as batch_op:
        batch_op.drop_index('ix_search_events_answered_in_created')
        batch_op.drop_column('answered_by')
        batch_op.drop_column('answered_in')
        batch_op.drop_column('language')
