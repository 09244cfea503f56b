"""The use cases, in wings named for their concept: launch, identity, audit, catalog, tbook_connection."""
