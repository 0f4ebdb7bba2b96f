"""PostgreSQL: Location documents stored as `json` (the text we wrote) instead of `jsonb`.

Every Location written by a pull or a save was parsed into jsonb's binary form, 2.5 times the
database's CPU of `json` for a Location document (20,000 documents: 1.06 s against 0.43 s on
the project machine), on the two cores the whole platform shares. Nothing queries inside
Location documents with jsonb operators, and a page is served as the stored text (cast to
text, which for `json` is the text as written). The table is rewritten once. SQLite: nothing.

Revision ID: 0013_location_text
Revises: 0012_contracts
Create Date: 2026-12-07
"""

from alembic import op

revision = "0013_location_text"
down_revision = "0012_contracts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE locations ALTER COLUMN document TYPE json USING document::json")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE locations ALTER COLUMN document TYPE jsonb USING document::jsonb")
