"""Guests of an event: list, add, change status, invite."""
