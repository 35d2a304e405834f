"""Every Luma route the integration calls, named once: the 66 operations of Luma's published API (2026-08-07),
on public-api.luma.com. A test checks that each of these exists in the contract kept in `luma_local/contract.json`,
and the bar is that every one of them is called by some action or trigger."""

# Account
USERS_GET_SELF = "/v1/users/get-self"

# Events
EVENTS_GET = "/v1/events/get"
EVENTS_CREATE = "/v1/events/create"
EVENTS_UPDATE = "/v1/events/update"
EVENTS_CANCEL_REQUEST = "/v1/events/cancel/request"
EVENTS_CANCEL = "/v1/events/cancel"
IMAGES_CREATE_UPLOAD_URL = "/v1/images/create-upload-url"

# Hosts
HOSTS_ADD = "/v1/events/hosts/add"
HOSTS_UPDATE = "/v1/events/hosts/update"
HOSTS_REMOVE = "/v1/events/hosts/remove"

# Ticket types
TICKET_TYPES_LIST = "/v1/events/ticket-types/list"
TICKET_TYPES_GET = "/v1/events/ticket-types/get"
TICKET_TYPES_CREATE = "/v1/events/ticket-types/create"
TICKET_TYPES_UPDATE = "/v1/events/ticket-types/update"
TICKET_TYPES_DELETE = "/v1/events/ticket-types/delete"

# Coupons: of an event, and of the whole calendar
EVENT_COUPONS_LIST = "/v1/events/coupons/list"
EVENT_COUPONS_CREATE = "/v1/events/coupons/create"
EVENT_COUPONS_UPDATE = "/v1/events/coupons/update"
CALENDAR_COUPONS_LIST = "/v1/calendars/coupons/list"
CALENDAR_COUPONS_CREATE = "/v1/calendars/coupons/create"
CALENDAR_COUPONS_UPDATE = "/v1/calendars/coupons/update"

# Guests
GUESTS_GET = "/v1/events/guests/get"
GUESTS_LIST = "/v1/events/guests/list"
GUESTS_ADD = "/v1/events/guests/add"
GUESTS_UPDATE_STATUS = "/v1/events/guests/update-status"
GUESTS_UPDATE_TICKETS = "/v1/events/guests/update-tickets"
GUESTS_SEND_INVITES = "/v1/events/guests/send-invites"

# The calendar, and events on it
CALENDARS_GET = "/v1/calendars/get"
CALENDARS_UPDATE = "/v1/calendars/update"
CALENDAR_ADMINS_LIST = "/v1/calendars/admins/list"
CALENDAR_EVENTS_LIST = "/v1/calendars/events/list"
CALENDAR_EVENTS_LOOKUP = "/v1/calendars/events/lookup"
CALENDAR_EVENTS_ADD = "/v1/calendars/events/add"
CALENDAR_EVENTS_APPROVE = "/v1/calendars/events/approve"
CALENDAR_EVENTS_REJECT = "/v1/calendars/events/reject"
ENTITIES_LOOKUP = "/v1/entities/lookup"

# The calendar's people (Luma calls them contacts)
CONTACTS_LIST = "/v1/calendars/contacts/list"
CONTACTS_IMPORT = "/v1/calendars/contacts/import"
CONTACTS_BLOCK = "/v1/calendars/contacts/block"
CONTACTS_REMOVE = "/v1/calendars/contacts/remove"
CONTACTS_RESTORE = "/v1/calendars/contacts/restore"

# Tags of people and of events
CONTACT_TAGS_LIST = "/v1/calendars/contact-tags/list"
CONTACT_TAGS_CREATE = "/v1/calendars/contact-tags/create"
CONTACT_TAGS_UPDATE = "/v1/calendars/contact-tags/update"
CONTACT_TAGS_DELETE = "/v1/calendars/contact-tags/delete"
CONTACT_TAGS_APPLY = "/v1/calendars/contact-tags/apply"
CONTACT_TAGS_UNAPPLY = "/v1/calendars/contact-tags/unapply"
EVENT_TAGS_LIST = "/v1/calendars/event-tags/list"
EVENT_TAGS_CREATE = "/v1/calendars/event-tags/create"
EVENT_TAGS_UPDATE = "/v1/calendars/event-tags/update"
EVENT_TAGS_DELETE = "/v1/calendars/event-tags/delete"
EVENT_TAGS_APPLY = "/v1/calendars/event-tags/apply"
EVENT_TAGS_UNAPPLY = "/v1/calendars/event-tags/unapply"

# Memberships
MEMBERSHIP_TIERS_LIST = "/v1/memberships/tiers/list"
MEMBERS_ADD = "/v1/memberships/members/add"
MEMBERS_UPDATE_STATUS = "/v1/memberships/members/update-status"

# Webhooks (Luma versions each route on its own: list and delete are v1, the rest v2)
WEBHOOKS_LIST = "/v1/webhooks/list"
WEBHOOKS_GET = "/v2/webhooks/get"
WEBHOOKS_CREATE = "/v2/webhooks/create"
WEBHOOKS_UPDATE = "/v2/webhooks/update"
WEBHOOKS_DELETE = "/v1/webhooks/delete"

# Organizations (organization keys)
ORGANIZATION_ADMINS_LIST = "/v1/organizations/admins/list"
ORGANIZATION_CALENDARS_LIST = "/v1/organizations/calendars/list"
ORGANIZATION_EVENTS_LIST = "/v1/organizations/events/list"
ORGANIZATION_EVENTS_TRANSFER = "/v1/organizations/events/transfer-calendar"
ORGANIZATION_CALENDARS_CREATE = "/v2/organizations/calendars/create"
