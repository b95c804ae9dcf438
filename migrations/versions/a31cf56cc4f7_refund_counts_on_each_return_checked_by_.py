"""refund counts on each return, checked by the database

Revision ID: a31cf56cc4f7
Revises: 909722d0f3b1
Create Date: 2026-12-04 03:17:03.014591

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a31cf56cc4f7'
down_revision = '909722d0f3b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('refund_limit_cents', sa.Integer(), server_default='0', nullable=False))

    # What each return has refunded so far (pending or paid), and a limit no lower than that:
    # the estimate, or what was refunded when staff refunded more.
    op.execute(
        """
        UPDATE return_requests SET refunded_cents = COALESCE((
            SELECT SUM(amount_cents) FROM refunds
            WHERE refunds.return_id = return_requests.id
              AND refunds.status IN ('pending', 'succeeded')), 0)
        """
    )
    op.execute(
        """
        UPDATE return_requests SET refund_limit_cents = CASE
            WHEN refunded_cents > estimate_cents THEN refunded_cents ELSE estimate_cents END
        """
    )
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'refunds_within_limit', 'refunded_cents <= refund_limit_cents'
        )
        batch_op.create_check_constraint('refunded_not_negative', 'refunded_cents >= 0')


def downgrade():
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_return_requests_refunded_not_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_return_requests_refunds_within_limit'), type_='check')
        batch_op.drop_column('refund_limit_cents')
        batch_op.drop_column('refunded_cents')
