"""System administration: the work calendar, the job monitor and the audit log."""
