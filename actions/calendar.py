"""The calendar's people (contacts)."""
