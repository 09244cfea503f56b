"""audit chain heads name the key that seals their events (GATEWAY_AUDIT_KEY), or none

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_column('key_id')
