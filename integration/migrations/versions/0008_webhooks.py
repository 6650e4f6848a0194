"""webhooks: the hook per company and the events received; webhook event runs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:10:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
OLD_KINDS = "kind IN ('directory_import', 'push', 'reconcile')"
NEW_KINDS = "kind IN ('directory_import', 'push', 'reconcile', 'webhook_events')"


def upgrade():
    op.create_table('webhook_hooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procore_hook_id', sa.BigInteger(), nullable=True),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('destination_url', sa.String(length=1024), nullable=False),
    sa.Column('trigger_ids', JSON, nullable=False),
    sa.Column('company_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['installations.company_id'], name=op.f('fk_webhook_hooks_company_id_installations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_hooks')),
    sa.UniqueConstraint('company_id', name='uq_webhook_hooks_company')
    )
    with op.batch_alter_table('webhook_hooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_hooks_company_id'), ['company_id'], unique=False)

    op.create_table('webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_key', sa.String(length=128), nullable=False),
    sa.Column('resource_name', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.BigInteger(), nullable=False),
    sa.Column('event_type', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('company_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['installations.company_id'], name=op.f('fk_webhook_events_company_id_installations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events')),
    sa.UniqueConstraint('company_id', 'event_key', name='uq_webhook_events_company_event')
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_events_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_events_processed_at'), ['processed_at'], unique=False)

    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sync_runs_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_sync_runs_kind'), NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM sync_runs WHERE kind = 'webhook_events'")
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sync_runs_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_sync_runs_kind'), OLD_KINDS)
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_events_processed_at'))
        batch_op.drop_index(batch_op.f('ix_webhook_events_company_id'))
    op.drop_table('webhook_events')
    with op.batch_alter_table('webhook_hooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_hooks_company_id'))
    op.drop_table('webhook_hooks')
