"""Tokens: our own Tokens found by contract_id.

A 2.1.1 CPO names the driver of a Session or CDR by `auth_id` only, our Token's contract_id
(versions/v2_1_1/lookups.py): without an index, finding the Token read every one of our
Tokens' documents, a scan of a million for each Session started. An expression index on the
upper-cased contract_id of our own Tokens (partner_id NULL) makes it a point read; the query
writes the same expression (`contract_key`).

Revision ID: 0012_contracts
Revises: 0011_lz4
Create Date: 2026-12-06
"""

from alembic import op

revision = "0012_contracts"
down_revision = "0011_lz4"
branch_labels = None
depends_on = None

EXPRESSIONS = {
    "postgresql": "upper(document ->> 'contract_id')",
    "sqlite": "upper(json_extract(document, '$.contract_id'))",
}


def upgrade() -> None:
    expression = EXPRESSIONS[op.get_bind().dialect.name]
    op.execute(
        f"CREATE INDEX ix_tokens_contract ON tokens (({expression})) WHERE partner_id IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_tokens_contract")
