"""Alembic environment: the URL from actions.config, the tables from actions.store.models."""

from alembic import context
from sqlalchemy import create_engine

from actions.config import database_url
from actions.store.crypto import EncryptedText
from actions.store.models import Base


def _render_item(type_, obj, autogen_context):
    """Autogenerate writes an encrypted column as what the database holds (Text), so a migration never
    imports application code."""
    if type_ == "type" and isinstance(obj, EncryptedText):
        return "sa.Text()"
    return False


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=Base.metadata, literal_binds=True, render_item=_render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(database_url())
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, render_item=_render_item)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
