"""evaluations: a digest of each evaluation's results; results kept with lz4 on PostgreSQL

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 16:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_digest', sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        # A new version's results (several KB each) are compressed as they are written: lz4 costs a
        # fraction of the default's CPU. Rows already stored keep theirs; a server built without lz4 keeps
        # its default.
        op.execute("DO $$ BEGIN ALTER TABLE evaluations ALTER COLUMN results SET COMPRESSION lz4; "
                   "EXCEPTION WHEN feature_not_supported THEN NULL; END $$")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE evaluations ALTER COLUMN results SET COMPRESSION default')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('results_digest')
