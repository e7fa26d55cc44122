"""Person linkage in the database: runs, candidate pairs with evidence, reversible merges;
indexes on custody_episodes for the custody status views (transfers; open episodes by last sign of life).

Revision ID: 0003_person_linkage
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_person_linkage'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('linkage_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.Column('model', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_linkage_runs'))
    )
    op.create_table('linkage_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id_l', sa.Integer(), nullable=False),
    sa.Column('person_id_r', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('match_probability', sa.Float(), nullable=False),
    sa.Column('match_weight', sa.Float(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id_l'], ['persons.id'], name=op.f('fk_linkage_pairs_person_id_l_persons')),
    sa.ForeignKeyConstraint(['person_id_r'], ['persons.id'], name=op.f('fk_linkage_pairs_person_id_r_persons')),
    sa.ForeignKeyConstraint(['run_id'], ['linkage_runs.id'], name=op.f('fk_linkage_pairs_run_id_linkage_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_linkage_pairs')),
    sa.UniqueConstraint('person_id_l', 'person_id_r', name='uq_linkage_pairs_persons')
    )
    op.create_index(op.f('ix_linkage_pairs_person_id_r'), 'linkage_pairs', ['person_id_r'], unique=False)
    op.create_index('ix_linkage_pairs_queue', 'linkage_pairs', ['status', 'match_probability'], unique=False)
    op.create_table('person_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.Column('survivor_id', sa.Integer(), nullable=False),
    sa.Column('merged_id', sa.Integer(), nullable=False),
    sa.Column('previous_merged_into_id', sa.Integer(), nullable=True),
    sa.Column('merged_by', sa.String(length=100), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('undone_by', sa.String(length=100), nullable=True),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undo_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['merged_id'], ['persons.id'], name=op.f('fk_person_merges_merged_id_persons')),
    sa.ForeignKeyConstraint(['pair_id'], ['linkage_pairs.id'], name=op.f('fk_person_merges_pair_id_linkage_pairs')),
    sa.ForeignKeyConstraint(['survivor_id'], ['persons.id'], name=op.f('fk_person_merges_survivor_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_merges'))
    )
    op.create_index(op.f('ix_person_merges_merged_id'), 'person_merges', ['merged_id'], unique=False)
    op.create_index(op.f('ix_person_merges_pair_id'), 'person_merges', ['pair_id'], unique=False)
    op.create_index(op.f('ix_person_merges_survivor_id'), 'person_merges', ['survivor_id'], unique=False)
    op.create_index('ix_custody_episodes_transferred_from_id', 'custody_episodes', ['transferred_from_id'], unique=False)
    open_only = sa.text("deleted_at IS NULL AND outcome IN ('in_custody', 'unknown')")
    op.create_index('ix_custody_episodes_open_by_last_sign', 'custody_episodes',
                    [sa.text('coalesce(last_proof_of_life, date_from_lo)'), 'id', 'confidentiality', 'case_id',
                     'person_id', 'outcome', 'date_to', 'facility_place_id', 'acknowledged', 'incommunicado',
                     'monitor_access', 'date_from_lo'],
                    unique=False, sqlite_where=open_only, postgresql_where=open_only)
    op.create_index('ix_persons_birth_lo_characteristics', 'persons', ['birth_lo', 'characteristics'], unique=False)
    op.create_index('ix_persons_birth_hi_characteristics', 'persons', ['birth_hi', 'characteristics'], unique=False)


def downgrade() -> None:

    op.drop_index('ix_persons_birth_hi_characteristics', table_name='persons')
    op.drop_index('ix_persons_birth_lo_characteristics', table_name='persons')
    op.drop_index('ix_custody_episodes_open_by_last_sign', table_name='custody_episodes')
    op.drop_index('ix_custody_episodes_transferred_from_id', table_name='custody_episodes')
    op.drop_index(op.f('ix_person_merges_survivor_id'), table_name='person_merges')
    op.drop_index(op.f('ix_person_merges_pair_id'), table_name='person_merges')
    op.drop_index(op.f('ix_person_merges_merged_id'), table_name='person_merges')
    op.drop_table('person_merges')
    op.drop_index('ix_linkage_pairs_queue', table_name='linkage_pairs')
    op.drop_index(op.f('ix_linkage_pairs_person_id_r'), table_name='linkage_pairs')
    op.drop_table('linkage_pairs')
    op.drop_table('linkage_runs')
