"""The catalog wing: launch links and learner profiles (validation, console edits, CSV import)."""
