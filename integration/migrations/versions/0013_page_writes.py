"""page writes: every committed write of a company's rows adds to its count, the key of its cached pages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 19:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'page_writes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('company_id', sa.BigInteger(), nullable=False),
        sa.Column('weight', sa.BigInteger(), server_default='1', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_page_writes')),
    )
    op.create_index('ix_page_writes_company_id', 'page_writes', ['company_id'], unique=False)


def downgrade():
    op.drop_index('ix_page_writes_company_id', table_name='page_writes')
    op.drop_table('page_writes')
