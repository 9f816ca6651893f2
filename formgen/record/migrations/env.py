"""Alembic environment: formgen always passes its own connection in."""

from alembic import context

from formgen.record.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
