"""order number keys: order numbers compared without case, spaces or Unicode lookalikes

Revision ID: 5c0f1e2a9b7d
Revises: d71a5580c148
Create Date: 2026-12-04 03:05:00

Existing orders whose numbers differ only that way ("jp-10481" beside "JP-10481") could
never be looked up. The first of each such group keeps the plain key; the others get the key
with "#<id>" added, so the unique index can be made, and each is reported: rename or remove
it, then re-import it.
"""
import logging
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c0f1e2a9b7d'
down_revision = 'd71a5580c148'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _key(number: str) -> str:
    """app.models.orders.order_number_key as of this revision."""
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_key', sa.String(length=80), nullable=True))

    connection = op.get_bind()
    orders = sa.table('orders', sa.column('id', sa.Integer), sa.column('number', sa.String),
                      sa.column('number_key', sa.String))
    first: dict[str, tuple[int, str]] = {}
    for order_id, number in connection.execute(
        sa.select(orders.c.id, orders.c.number).order_by(orders.c.id)
    ):
        key = _key(number)
        if key in first:
            kept_id, kept = first[key]
            log.warning(
                "order %r (id %s) has the same number as order %r (id %s) once case and "
                "spaces are ignored: lookups find %r; rename or remove the other, then "
                "re-import it", number, order_id, kept, kept_id, kept,
            )
            key = f"{key}#{order_id}"
        else:
            first[key] = (order_id, number)
        connection.execute(
            orders.update().where(orders.c.id == order_id).values(number_key=key)
        )

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('number_key', existing_type=sa.String(length=80), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_orders_number_key'), ['number_key'])


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_orders_number_key'), type_='unique')
        batch_op.drop_column('number_key')
