"""Migration Hub: task names and texts (names.py), the coverage-to-task-state mapping
(mapping.py), the updates and their publisher with the Outbox protocol (publisher.py), the two
outboxes (outbox.py) and reading tasks back (views.py). The local Migration Hub for tests and the
demo is maptag/local/migration_hub/."""
