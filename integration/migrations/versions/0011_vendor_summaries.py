"""vendor summaries: the compliance table's rows kept per vendor and per assignment, filled from the record

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vendor_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('trade', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('open_gaps', sa.Integer(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('last_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_action', sa.String(length=64), nullable=True),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['project_assignments.id'], name=op.f('fk_vendor_summaries_assignment_id_project_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['installations.company_id'], name=op.f('fk_vendor_summaries_company_id_installations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_vendor_summaries_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_vendor_summaries_vendor_id_vendors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_summaries'))
    )
    with op.batch_alter_table('vendor_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_vendor_summaries_company_project_status', ['company_id', 'project_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_summaries_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_summaries_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_summaries_vendor_id'), ['vendor_id'], unique=False)
    _backfill()


def _backfill():
    """Every company's rows, worked out by the same statements the app keeps them with."""
    from integration.vendor_summary import rebuild_with

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # planner statistics first: without them the backfill's joins crawl
        bind.execute(sa.text("ANALYZE"))
    for (company_id,) in bind.execute(sa.text("SELECT company_id FROM installations ORDER BY company_id")).all():
        rebuild_with(bind.execute, company_id)


def downgrade():
    with op.batch_alter_table('vendor_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_summaries_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_vendor_summaries_company_id'))
        batch_op.drop_index(batch_op.f('ix_vendor_summaries_assignment_id'))
        batch_op.drop_index('ix_vendor_summaries_company_project_status')

    op.drop_table('vendor_summaries')
