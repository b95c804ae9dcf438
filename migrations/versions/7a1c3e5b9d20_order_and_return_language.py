"""the customer's language on orders and returns

Revision ID: 7a1c3e5b9d20
Revises: 5f15592f4e39
Create Date: 2026-12-05 20:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1c3e5b9d20'
down_revision = '5f15592f4e39'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=8), nullable=False, server_default='en')
        )


def downgrade():
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('language')
