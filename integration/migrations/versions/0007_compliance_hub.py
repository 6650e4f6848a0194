"""compliance hub: outside accounts, their projects and members; each certificate's coverage period

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:16:08

"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

KINDS = ("'invitation', 'reminder', 'gaps', 'result', 'renewal', 'digest', 'new_link', 'non_responsive', "
         "'hub_code'")


def upgrade():
    op.create_table('compliance_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('bulk_download', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['installations.company_id'], name=op.f('fk_compliance_accounts_company_id_installations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['app_users.id'], name=op.f('fk_compliance_accounts_created_by_user_id_app_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_accounts'))
    )
    with op.batch_alter_table('compliance_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_accounts_company_id'), ['company_id'], unique=False)

    op.create_table('compliance_account_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['compliance_accounts.id'], name=op.f('fk_compliance_account_projects_account_id_compliance_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['installations.company_id'], name=op.f('fk_compliance_account_projects_company_id_installations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_compliance_account_projects_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_account_projects')),
    sa.UniqueConstraint('account_id', 'project_id', name='uq_compliance_account_projects_account_project')
    )
    with op.batch_alter_table('compliance_account_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_account_projects_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compliance_account_projects_project_id'), ['project_id'], unique=False)

    op.create_table('compliance_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('invited_by_user_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_member_id', sa.Integer(), nullable=True),
    sa.Column('last_signed_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False),
    sa.Column('company_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['compliance_accounts.id'], name=op.f('fk_compliance_members_account_id_compliance_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['installations.company_id'], name=op.f('fk_compliance_members_company_id_installations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_member_id'], ['compliance_members.id'], name=op.f('fk_compliance_members_invited_by_member_id_compliance_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_user_id'], ['app_users.id'], name=op.f('fk_compliance_members_invited_by_user_id_app_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_members')),
    sa.UniqueConstraint('company_id', 'email', name='uq_compliance_members_company_email')
    )
    with op.batch_alter_table('compliance_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_members_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compliance_members_company_id'), ['company_id'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covers_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('covers_to', sa.Date(), nullable=True))
        batch_op.create_index('ix_certificates_listed', ['vendor_id', 'covers_from', 'covers_to', 'id'], unique=False,
                              postgresql_include=['stored_file_id', 'company_id'],
                              postgresql_where=sa.text('ok AND NOT needs_review'),
                              sqlite_where=sa.text('ok AND NOT needs_review'))

    # The email carrying a Compliance Hub sign-in link is a kind of its own.
    with op.batch_alter_table('sent_emails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sent_emails_kind'), type_='check')
        batch_op.create_check_constraint('kind', f"kind IN ({KINDS}, 'compliance_link')")

    # Certificates read before: the period from their policy rows, as reading computes it now.
    dated = ("FROM certificate_policies p WHERE p.certificate_id = certificates.id "
             "AND p.effective_date IS NOT NULL AND p.expiration_date IS NOT NULL")
    op.execute(f"UPDATE certificates SET covers_from = (SELECT max(p.effective_date) {dated}), "
               f"covers_to = (SELECT min(p.expiration_date) {dated})")
    op.execute(f"UPDATE certificates SET covers_from = (SELECT min(p.effective_date) {dated}), "
               f"covers_to = (SELECT max(p.expiration_date) {dated}) WHERE covers_from > covers_to")


def downgrade():
    op.execute("DELETE FROM sent_emails WHERE kind = 'compliance_link'")
    with op.batch_alter_table('sent_emails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sent_emails_kind'), type_='check')
        batch_op.create_check_constraint('kind', f"kind IN ({KINDS})")

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_listed')
        batch_op.drop_column('covers_to')
        batch_op.drop_column('covers_from')

    with op.batch_alter_table('compliance_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_members_company_id'))
        batch_op.drop_index(batch_op.f('ix_compliance_members_account_id'))

    op.drop_table('compliance_members')
    with op.batch_alter_table('compliance_account_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_account_projects_project_id'))
        batch_op.drop_index(batch_op.f('ix_compliance_account_projects_company_id'))

    op.drop_table('compliance_account_projects')
    with op.batch_alter_table('compliance_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_accounts_company_id'))

    op.drop_table('compliance_accounts')
