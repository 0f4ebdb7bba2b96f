"""`evroam db`: database migrations."""

import typer

from evroam.cli import app, out, run, settings_of
from evroam.platform import Platform
from evroam.storage import migrate

db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration (safe to run repeatedly and from several hosts)."""
    settings = settings_of(ctx)

    async def work(platform: Platform) -> str | None:
        await migrate.upgrade(platform.engine, db_schema=settings.database.db_schema)
        return await migrate.current_revision(platform.engine)

    revision = run(
        settings.model_copy(
            update={"database": settings.database.model_copy(update={"auto_migrate": False})}
        ),
        work,
    )
    out.print(f"Database at revision [bold]{revision}[/] (head).")


@db_app.command("current")
def current(ctx: typer.Context) -> None:
    """Show the database's revision and whether migrations are pending."""
    settings = settings_of(ctx)
    no_migrate = settings.model_copy(
        update={"database": settings.database.model_copy(update={"auto_migrate": False})}
    )

    async def work(platform: Platform) -> str | None:
        return await migrate.current_revision(platform.engine)

    revision = run(no_migrate, work)
    head = migrate.head_revision()
    state = "up to date" if revision == head else f"behind head {head}: run `evroam db upgrade`"
    out.print(f"Database revision: [bold]{revision or 'none'}[/] ({state}).")
