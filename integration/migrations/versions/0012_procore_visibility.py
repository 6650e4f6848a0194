"""app_users: the companies and projects Procore showed the user at sign-in, and when

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    with op.batch_alter_table('app_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procore_company_ids', _json(), nullable=True))
        batch_op.add_column(sa.Column('procore_project_ids', _json(), nullable=True))
        batch_op.add_column(sa.Column('visibility_read_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('app_users', schema=None) as batch_op:
        batch_op.drop_column('visibility_read_at')
        batch_op.drop_column('procore_project_ids')
        batch_op.drop_column('procore_company_ids')
