"""known learners: learners seen in T-book, whose clicks go straight to /authToken

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('known_learner',
    sa.Column('login', sa.String(length=254), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('seen', sa.String(length=8), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('login', 'account', name=op.f('pk_known_learner'))
    )


def downgrade():
    op.drop_table('known_learner')
