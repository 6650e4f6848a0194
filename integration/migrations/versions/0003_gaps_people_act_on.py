"""gaps people act on: gap keys, asks, covered requirements; distinct nothing-received and evidence-owed statuses

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('compliant', 'not_compliant', 'expired', 'under_review', 'awaiting_documents', 'waived')"
NEW_STATUSES = ("status IN ('compliant', 'not_compliant', 'expired', 'under_review', 'nothing_received', "
                "'evidence_owed', 'waived')")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# "awaiting documents" meant two things; a vendor with no certificate at all had received nothing.
_SPLIT = {
    "evaluations": "EXISTS (SELECT 1 FROM coverage_gaps g WHERE g.evaluation_id = evaluations.id "
                   "AND g.code = 'certificate_missing')",
    "vendors": "NOT EXISTS (SELECT 1 FROM certificates c WHERE c.vendor_id = vendors.id)",
    "project_assignments": "NOT EXISTS (SELECT 1 FROM certificates c WHERE c.vendor_id = project_assignments.vendor_id)",
}


def upgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_evaluations_status'), type_='check')
    for table, nothing in _SPLIT.items():
        op.execute(f"UPDATE {table} SET status = CASE WHEN {nothing} THEN 'nothing_received' ELSE 'evidence_owed' END "
                   "WHERE status = 'awaiting_documents'")
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_evaluations_status'), NEW_STATUSES)

    with op.batch_alter_table('coverage_gaps', schema=None) as batch_op:
        batch_op.alter_column('requirement_key', new_column_name='gap_key', existing_type=sa.String(length=128),
                              type_=sa.String(length=255), existing_nullable=False)
        batch_op.add_column(sa.Column('ask', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('requirement_keys', JSON, nullable=False, server_default='[]'))
    with op.batch_alter_table('overrides', schema=None) as batch_op:
        batch_op.alter_column('requirement_key', new_column_name='gap_key', existing_type=sa.String(length=128),
                              type_=sa.String(length=255), existing_nullable=False)
        batch_op.add_column(sa.Column('gap_label', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('overrides', schema=None) as batch_op:
        batch_op.drop_column('gap_label')
        batch_op.alter_column('gap_key', new_column_name='requirement_key', existing_type=sa.String(length=255),
                              type_=sa.String(length=128), existing_nullable=False)
    with op.batch_alter_table('coverage_gaps', schema=None) as batch_op:
        batch_op.drop_column('requirement_keys')
        batch_op.drop_column('ask')
        batch_op.alter_column('gap_key', new_column_name='requirement_key', existing_type=sa.String(length=255),
                              type_=sa.String(length=128), existing_nullable=False)

    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_evaluations_status'), type_='check')
    for table in _SPLIT:
        op.execute(f"UPDATE {table} SET status = 'awaiting_documents' "
                   "WHERE status IN ('nothing_received', 'evidence_owed')")
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_evaluations_status'), OLD_STATUSES)
