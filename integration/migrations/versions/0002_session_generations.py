"""session generations: disconnecting ends a company's sessions, signing in again ends a user's older ones

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('app_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('app_users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
