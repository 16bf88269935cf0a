"""Apply the schema migrations explicitly: `python -m app.migrate` (make migrate)."""

from app import config
from app.services.db import init_schema, make_engine


def main() -> None:
    engine = make_engine(config.DATABASE_URL)
    init_schema(engine)
    engine.dispose()
    print("schema is at the newest migration")


if __name__ == "__main__":
    main()
