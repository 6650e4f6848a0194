"""submissions: when the current reading began, how many readings began, and why reading gave up

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reading_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('failure_reason', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('failure_reason')
        batch_op.drop_column('reading_attempts')
        batch_op.drop_column('reading_started_at')
