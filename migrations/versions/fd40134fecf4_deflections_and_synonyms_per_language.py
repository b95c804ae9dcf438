"""deflections and synonym suggestions per language

Revision ID: fd40134fecf4
Revises: b4e2d8f61a37
Create Date: 2026-12-06 10:00:00.000000

Everything recorded before is English (the only language the returns portal and the search
had). Going back drops the suggestions learnt on other languages' pages: without a language,
a German pair would be offered for the English synonyms.yml.
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
