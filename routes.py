"""Every Luma route the integration calls, named once (Luma's current "plural" family on public-api.luma.com).

A test checks that each of these exists, with its method, in the contract kept in `luma_local/contract.json`.
"""

# Account
USERS_GET_SELF = "/v1/users/get-self"

# Events
EVENTS_GET = "/v1/events/get"
EVENTS_CREATE = "/v1/events/create"
EVENTS_UPDATE = "/v1/events/update"
CALENDAR_EVENTS_LIST = "/v1/calendars/events/list"

# Ticket types
TICKET_TYPES_LIST = "/v1/events/ticket-types/list"
TICKET_TYPES_CREATE = "/v1/events/ticket-types/create"

# Event coupons
EVENT_COUPONS_LIST = "/v1/events/coupons/list"
EVENT_COUPONS_CREATE = "/v1/events/coupons/create"

# Guests
GUESTS_GET = "/v1/events/guests/get"
GUESTS_LIST = "/v1/events/guests/list"
GUESTS_ADD = "/v1/events/guests/add"
GUESTS_UPDATE_STATUS = "/v1/events/guests/update-status"
GUESTS_SEND_INVITES = "/v1/events/guests/send-invites"

# The calendar's people
CONTACTS_LIST = "/v1/calendars/contacts/list"
