"""deflections and synonym suggestions per language

Revision ID: fd40134fecf4
Revises: b4e2d8f61a37
Create Date: 2026-12-06 10:00:00.000000

What was recorded before gets the language it can be told from: an article shown before a
return, its order's language (the returns portal wrote to the customer in it); a synonym
suggestion, the language of the pages its search found nothing on, when they were all one
language's. The rest is English. Going back drops the suggestions of other languages:
without a language, a German pair would be offered for the English synonyms.yml.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fd40134fecf4'
down_revision = 'b4e2d8f61a37'
branch_labels = None
depends_on = None


def _language():
    return sa.Column('language', sa.String(length=8), server_default='en', nullable=False)


def upgrade():
    with op.batch_alter_table('deflections', schema=None) as batch_op:
        batch_op.add_column(_language())
    with op.batch_alter_table('synonym_suggestions', schema=None) as batch_op:
        batch_op.add_column(_language())
        batch_op.drop_constraint('uq_synonym_suggestions_zero_query_followed_by', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_synonym_suggestions_language_zero_query_followed_by'),
            ['language', 'zero_query', 'followed_by'],
        )
    op.execute(
        "UPDATE deflections SET language = (SELECT orders.language FROM orders"
        " WHERE orders.id = deflections.order_id)"
        " WHERE (SELECT orders.language FROM orders"
        " WHERE orders.id = deflections.order_id) IS NOT NULL"
    )
    empty = (
        "FROM search_events WHERE search_events.query_normalized = synonym_suggestions.zero_query"
        " AND search_events.results_count = 0"
    )
    op.execute(
        f"UPDATE synonym_suggestions SET language = (SELECT MIN(search_events.language) {empty})"
        f" WHERE (SELECT COUNT(DISTINCT search_events.language) {empty}) = 1"
    )


def downgrade():
    op.execute("DELETE FROM synonym_suggestions WHERE language != 'en'")
    with op.batch_alter_table('synonym_suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(
            'uq_synonym_suggestions_language_zero_query_followed_by', type_='unique'
        )
        batch_op.create_unique_constraint(
            'uq_synonym_suggestions_zero_query_followed_by', ['zero_query', 'followed_by']
        )
        batch_op.drop_column('language')
    with op.batch_alter_table('deflections', schema=None) as batch_op:
        batch_op.drop_column('language')
