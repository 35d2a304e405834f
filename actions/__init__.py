"""Action handlers, one module per Luma resource; importing them registers them on `luma.luma`."""

from actions import account, calendar, coupons, events, guests, ticket_types
