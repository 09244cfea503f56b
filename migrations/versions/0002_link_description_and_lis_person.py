"""launch links: resource_link_description and whether the launch sends lis_person_*

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('launch_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=1000), nullable=True))
        # Links made before this revision go on sending lis_person_*, as they did.
        batch_op.add_column(sa.Column('send_lis_person', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('launch_link', schema=None) as batch_op:
        batch_op.drop_column('send_lis_person')
        batch_op.drop_column('description')
