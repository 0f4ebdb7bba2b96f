"""Exit 0 when the PostgreSQL server at the given URL accepts a connection, 1 otherwise."""

import asyncio
import sys

import asyncpg


async def ready(url: str) -> bool:
    url = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        connection = await asyncpg.connect(url, timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL not ready: {exc}", file=sys.stderr)
        return False
    await connection.close()
    return True


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(ready(sys.argv[1])) else 1)
