"""outreach: requests with their email sequence, the outbox, one-time codes and rate limits

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:57:47.479714

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_opt_outs')),
    sa.UniqueConstraint('address', name=op.f('uq_email_opt_outs_address'))
    )
    op.create_table('one_time_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=320), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_tokens'))
    )
    with op.batch_alter_table('one_time_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_one_time_tokens_purpose_subject', ['purpose', 'subject'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_tokens_secret_hash'), ['secret_hash'], unique=False)

    op.create_table('rate_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=64), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_events'))
    )
    with op.batch_alter_table('rate_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_rate_events_bucket_key_at', ['bucket', 'key_hash', 'at'], unique=False)

    op.create_table('sent_email_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sent_email_id', sa.Integer(), nullable=False),
    sa.Column('outreach_request_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['installations.company_id'], name=op.f('fk_sent_email_requests_company_id_installations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outreach_request_id'], ['outreach_requests.id'], name=op.f('fk_sent_email_requests_outreach_request_id_outreach_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_email_id'], ['sent_emails.id'], name=op.f('fk_sent_email_requests_sent_email_id_sent_emails'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_email_requests')),
    sa.UniqueConstraint('sent_email_id', 'outreach_request_id', name='uq_sent_email_requests_pair')
    )
    with op.batch_alter_table('sent_email_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_email_requests_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_email_requests_outreach_request_id'), ['outreach_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_email_requests_sent_email_id'), ['sent_email_id'], unique=False)

    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.drop_column('reminder_cadence_days')
        batch_op.drop_column('expiry_warning_days')

    # Nothing wrote these two tables before this revision: their columns change freely.
    with op.batch_alter_table('outreach_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), server_default='open', nullable=False))
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('sequence_number', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('sequence_started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('sequence_emails', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('renewal_of', sa.Date(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_outreach_requests_token_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('ck_outreach_requests_kind'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN ('invitation', 'renewal')")
        batch_op.create_check_constraint('state', "state IN ('open', 'non_responsive', 'closed')")
        batch_op.create_check_constraint('sequence', "sequence IS NULL OR sequence IN ('invitation', 'gaps', 'renewal')")
        batch_op.create_check_constraint(
            'closed_reason', "closed_reason IS NULL OR closed_reason IN ('compliant', 'cancelled')")
        batch_op.create_index(batch_op.f('ix_outreach_requests_recipient_email'), ['recipient_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_requests_state'), ['state'], unique=False)
        batch_op.drop_column('failed_attempts')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('token_hash')
        batch_op.drop_column('used_at')

    with op.batch_alter_table('sent_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='invitation', nullable=False))
        batch_op.add_column(sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recipient_refused', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.alter_column('idempotency_key',
               existing_type=sa.VARCHAR(length=128),
               type_=sa.String(length=200),
               existing_nullable=False)
        batch_op.alter_column('company_id',
               existing_type=sa.BIGINT(),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('ck_sent_emails_state'), type_='check')
        batch_op.create_check_constraint('state', "state IN ('queued', 'sending', 'sent', 'failed')")
        batch_op.create_check_constraint(
            'kind', "kind IN ('invitation', 'reminder', 'gaps', 'result', 'renewal', 'digest', 'new_link', "
                    "'non_responsive', 'hub_code')")
        batch_op.create_index(batch_op.f('ix_sent_emails_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_emails_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_emails_to_address'), ['to_address'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_sent_emails_outreach_request_id_outreach_requests'), type_='foreignkey')
        batch_op.drop_column('outreach_request_id')

    with op.batch_alter_table('vendor_contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_refused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mail_refusal', sa.String(length=500), nullable=True))



def downgrade():
    with op.batch_alter_table('vendor_contacts', schema=None) as batch_op:
        batch_op.drop_column('mail_refusal')
        batch_op.drop_column('mail_refused_at')

    with op.batch_alter_table('sent_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outreach_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sent_emails_outreach_request_id_outreach_requests'), 'outreach_requests', ['outreach_request_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_index(batch_op.f('ix_sent_emails_to_address'))
        batch_op.drop_index(batch_op.f('ix_sent_emails_state'))
        batch_op.drop_index(batch_op.f('ix_sent_emails_next_attempt_at'))
        batch_op.drop_constraint(batch_op.f('ck_sent_emails_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_sent_emails_state'), type_='check')
        batch_op.create_check_constraint('state', "state IN ('queued', 'sent', 'failed')")
        batch_op.alter_column('company_id',
               existing_type=sa.BIGINT(),
               nullable=False)
        batch_op.alter_column('idempotency_key',
               existing_type=sa.String(length=200),
               type_=sa.VARCHAR(length=128),
               existing_nullable=False)
        batch_op.drop_column('recipient_refused')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('headers')
        batch_op.drop_column('kind')

    with op.batch_alter_table('outreach_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
        for name in ('closed_reason', 'sequence', 'state', 'kind'):
            batch_op.drop_constraint(batch_op.f(f'ck_outreach_requests_{name}'), type_='check')
        batch_op.create_check_constraint(
            'kind', "kind IN ('invitation', 'gaps', 'reminder', 'expiring', 'record_hub_code')")
        batch_op.drop_index(batch_op.f('ix_outreach_requests_state'))
        batch_op.drop_index(batch_op.f('ix_outreach_requests_recipient_email'))
        batch_op.create_unique_constraint(batch_op.f('uq_outreach_requests_token_hash'), ['token_hash'])
        batch_op.drop_column('renewal_of')
        batch_op.drop_column('sequence_emails')
        batch_op.drop_column('sequence_started_on')
        batch_op.drop_column('sequence_number')
        batch_op.drop_column('sequence')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('state')

    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_warning_days', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('reminder_cadence_days', sa.Integer(), server_default='7', nullable=False))

    with op.batch_alter_table('sent_email_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_email_requests_sent_email_id'))
        batch_op.drop_index(batch_op.f('ix_sent_email_requests_outreach_request_id'))
        batch_op.drop_index(batch_op.f('ix_sent_email_requests_company_id'))

    op.drop_table('sent_email_requests')
    with op.batch_alter_table('rate_events', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_events_bucket_key_at')
        batch_op.drop_index(batch_op.f('ix_rate_events_at'))

    op.drop_table('rate_events')
    with op.batch_alter_table('one_time_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_tokens_secret_hash'))
        batch_op.drop_index('ix_one_time_tokens_purpose_subject')

    op.drop_table('one_time_tokens')
    op.drop_table('email_opt_outs')
