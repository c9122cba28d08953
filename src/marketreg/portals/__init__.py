"""The two portals' shells and the /api/v1 aggregate router; no business rules here."""
