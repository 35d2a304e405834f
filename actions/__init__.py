"""Action handlers, one module per Luma resource; importing them registers them on `luma.luma`."""

from actions import calendar, events, guests
