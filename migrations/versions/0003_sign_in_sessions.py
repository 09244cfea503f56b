"""sign-in sessions kept server-side, so that sign-out, a password change or an admin can end them

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('login', sa.String(length=254), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_session'))
    )
    with op.batch_alter_table('sign_in_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_session_login'), ['login'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_session_last_seen_at'), ['last_seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_session_last_seen_at'))
        batch_op.drop_index(batch_op.f('ix_sign_in_session_login'))

    op.drop_table('sign_in_session')
