"""The operational store: tables, the engine, repositories and the unit of work."""
