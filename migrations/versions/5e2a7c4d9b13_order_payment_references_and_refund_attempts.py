"""order payment references and refund attempts

Revision ID: 5e2a7c4d9b13
Revises: af59b6b8cd08
Create Date: 2026-12-05 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e2a7c4d9b13'
down_revision = 'af59b6b8cd08'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_reference', sa.String(length=255), nullable=True))

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_column('attempts')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('payment_reference')
