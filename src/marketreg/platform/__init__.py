"""Cross-cutting infrastructure: settings, storage, access, audit, calendar, jobs, events."""
