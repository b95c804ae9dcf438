"""shopify orders, lines and webhooks

Revision ID: 3b8f1d6e2c47
Revises: 5e2a7c4d9b13
Create Date: 2026-12-05 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b8f1d6e2c47'
down_revision = '5e2a7c4d9b13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shopify_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shopify_id', sa.BigInteger(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['order_id'], ['orders.id'],
            name=op.f('fk_shopify_orders_order_id_orders'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shopify_orders')),
        sa.UniqueConstraint('order_id', name=op.f('uq_shopify_orders_order_id')),
        sa.UniqueConstraint('shopify_id', name=op.f('uq_shopify_orders_shopify_id')),
    )
    op.create_table(
        'shopify_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_line_id', sa.Integer(), nullable=False),
        sa.Column('line_item_id', sa.BigInteger(), nullable=False),
        sa.Column('variant_id', sa.BigInteger(), nullable=True),
        sa.Column('product_id', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ['order_line_id'], ['order_lines.id'],
            name=op.f('fk_shopify_lines_order_line_id_order_lines'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shopify_lines')),
        sa.UniqueConstraint('order_line_id', name=op.f('uq_shopify_lines_order_line_id')),
    )
    with op.batch_alter_table('shopify_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shopify_lines_variant_id'), ['variant_id'], unique=False)

    op.create_table(
        'shopify_webhooks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('webhook_id', sa.String(length=100), nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('shopify_order_id', sa.BigInteger(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shopify_webhooks')),
        sa.UniqueConstraint('webhook_id', name=op.f('uq_shopify_webhooks_webhook_id')),
    )


def downgrade():
    op.drop_table('shopify_webhooks')
    with op.batch_alter_table('shopify_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shopify_lines_variant_id'))

    op.drop_table('shopify_lines')
    op.drop_table('shopify_orders')
