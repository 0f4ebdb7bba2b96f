"""Alembic environment: runs on the connection handed over by evroam.storage.migrate."""

from alembic import context

from evroam.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations with `evroam db upgrade`, which supplies the connection.")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
