"""Records: SQLAlchemy models, sessions, repositories, migrations and queues."""
