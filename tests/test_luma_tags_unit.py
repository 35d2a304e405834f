"""Tag actions of people and of events with a mocked context.fetch (Autohive conventions).

Person tags and event tags share one implementation, so each behaviour is written once in a base class and run
for both kinds by the Test<Action> classes at the end of each section."""

import pytest

from operations.tags import CHECK_PAGES
from tests.support.fakes import assert_input_error, assert_schema_error, endpoints, failed, lost, luma_error, methods
from tests.support.fakes import ok, ok_data, page, requests, run, unavailable
from tests.support.samples import EVENT, contact

pytestmark = pytest.mark.unit

VIP = {"id": "tag-vip", "name": "VIP", "color": "purple"}
SPEAKER = {"id": "tag-spk", "name": "Speaker", "color": "blue"}
PEOPLE = "/v1/calendars/contact-tags"
EVENTS = "/v1/calendars/event-tags"


def tag_list(*tags: dict, has_more: bool = False):
    """Luma's answer to contact-tags/list or event-tags/list: every tag at once, no cursor."""
    return ok({"entries": list(tags), "has_more": has_more})


class Kind:
    """The words and routes of one kind of tag (PersonKind, EventKind), for the shared tests."""

    kind: str
    path: str

    @property
    def list_action(self):
        return f"list_{self.kind}_tags"


class PersonKind(Kind):
    kind, path = "person", PEOPLE


class EventKind(Kind):
    kind, path = "event", EVENTS


# ---- list ----------------------------------------------------------------------------------------------------


class ListTags(Kind):
    async def test_one_request_answers_every_tag_as_a_summary(self, mock_context):
        mock_context.fetch.return_value = tag_list(VIP, SPEAKER)
        data = ok_data(await run(self.list_action, {}, mock_context))
        assert data == {
            "tags": [{"id": "tag-vip", "name": "VIP"}, {"id": "tag-spk", "name": "Speaker"}],
            "has_more": False,
            "next_cursor": None,
        }
        assert requests(mock_context) == [("GET", f"{self.path}/list", [], None)]

    async def test_detail_full_adds_the_color(self, mock_context):
        mock_context.fetch.return_value = tag_list(VIP)
        data = ok_data(await run(self.list_action, {"detail": "full"}, mock_context))
        assert data["tags"] == [VIP]

    async def test_an_empty_calendar(self, mock_context):
        mock_context.fetch.return_value = tag_list()
        assert ok_data(await run(self.list_action, {}, mock_context))["tags"] == []

    async def test_lumas_has_more_is_passed_on_with_no_cursor(self, mock_context):
        mock_context.fetch.return_value = tag_list(VIP, has_more=True)
        data = ok_data(await run(self.list_action, {}, mock_context))
        assert (data["has_more"], data["next_cursor"]) == (True, None)

    async def test_no_paging_inputs(self, mock_context):
        assert_schema_error(await run(self.list_action, {"limit": 10}, mock_context), mock_context)

    async def test_an_answer_without_entries_is_an_error(self, mock_context):
        mock_context.fetch.return_value = ok({"has_more": False})
        failed(await run(self.list_action, {}, mock_context), "no list of entries")

    async def test_lumas_refusal_is_said(self, mock_context):
        mock_context.fetch.side_effect = luma_error(401, "Invalid API key")
        failed(await run(self.list_action, {}, mock_context), "401", "Invalid API key")


class TestListPersonTags(ListTags, PersonKind):
    pass


class TestListEventTags(ListTags, EventKind):
    pass


# ---- create --------------------------------------------------------------------------------------------------


class CreateTag(Kind):
    @property
    def action(self):
        return f"create_{self.kind}_tag"

    async def test_reads_the_tags_then_creates_with_every_field(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(SPEAKER), ok({"id": "tag-new"})]
        data = ok_data(await run(self.action, {"name": "  VIP ", "color": "Purple"}, mock_context))
        assert data == {"tag": {"id": "tag-new", "name": "VIP", "color": "purple"}}
        assert requests(mock_context) == [
            ("GET", f"{self.path}/list", [], None),
            ("POST", f"{self.path}/create", [], {"name": "VIP", "color": "purple"}),
        ]

    async def test_without_color_luma_chooses(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(), ok({"id": "tag-new"})]
        data = ok_data(await run(self.action, {"name": "VIP"}, mock_context))
        assert data == {"tag": {"id": "tag-new", "name": "VIP"}}
        assert requests(mock_context)[1][3] == {"name": "VIP"}

    @pytest.mark.parametrize("name", ["VIP", "vip", " Vip "])
    async def test_a_name_the_calendar_has_is_refused_with_that_tag(self, mock_context, name):
        mock_context.fetch.side_effect = [tag_list(VIP, SPEAKER)]
        message = failed(await run(self.action, {"name": name}, mock_context), "already exists", "tag-vip")
        assert f"update_{self.kind}_tag" in message and "ignoring case" in message
        assert methods(mock_context) == ["GET"]

    @pytest.mark.parametrize("name", ["   ", "\u200b\u200b"])
    async def test_an_invisible_name_is_refused_before_sending(self, mock_context, name):
        assert_input_error(await run(self.action, {"name": name}, mock_context), mock_context, "name")

    @pytest.mark.parametrize("inputs", [{}, {"name": ""}, {"name": "VIP", "color": "pink"}, {"name": "X", "id": "t"}])
    async def test_schema_rejects(self, mock_context, inputs):
        assert_schema_error(await run(self.action, inputs, mock_context), mock_context)

    async def test_lost_answer_finds_the_new_tag(self, mock_context, no_sleep):
        made = {"id": "tag-new", "name": "VIP", "color": "purple"}
        mock_context.fetch.side_effect = [tag_list(SPEAKER), lost(), tag_list(SPEAKER, made)]
        data = ok_data(await run(self.action, {"name": "VIP", "color": "purple"}, mock_context))
        assert data == {"tag": made}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_answer_finds_the_color_luma_chose(self, mock_context, no_sleep):
        made = {"id": "tag-new", "name": "VIP", "color": "red"}
        mock_context.fetch.side_effect = [tag_list(), ok({}), tag_list(made)]
        assert ok_data(await run(self.action, {"name": "VIP"}, mock_context)) == {"tag": made}

    async def test_lost_answer_with_another_color_is_not_this_request(self, mock_context, no_sleep):
        other = {"id": "tag-new", "name": "VIP", "color": "red"}
        mock_context.fetch.side_effect = [tag_list(), lost(), tag_list(other), tag_list(other)]
        failed(await run(self.action, {"name": "VIP", "color": "purple"}, mock_context), "not confirmed")
        assert methods(mock_context).count("POST") == 1

    async def test_lost_answer_not_found_is_unconfirmed_and_never_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [tag_list(SPEAKER), unavailable(), tag_list(SPEAKER), tag_list(SPEAKER)]
        message = failed(await run(self.action, {"name": "VIP"}, mock_context), "not confirmed", self.list_action)
        assert "named 'VIP'" in message
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_lumas_refusal_is_said(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(), luma_error(400, "Name is too long")]
        failed(await run(self.action, {"name": "VIP"}, mock_context), "400", "Name is too long")


class TestCreatePersonTag(CreateTag, PersonKind):
    pass


class TestCreateEventTag(CreateTag, EventKind):
    pass


# ---- update --------------------------------------------------------------------------------------------------


class UpdateTag(Kind):
    @property
    def action(self):
        return f"update_{self.kind}_tag"

    async def test_renames_and_recolors(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP, SPEAKER), ok({})]
        inputs = {"tag_id": " tag-vip ", "name": " VIP 2026 ", "color": "green"}
        data = ok_data(await run(self.action, inputs, mock_context))
        assert data == {"tag": {"id": "tag-vip", "name": "VIP 2026", "color": "green"}}
        assert requests(mock_context) == [
            ("GET", f"{self.path}/list", [], None),
            ("POST", f"{self.path}/update", [], {"tag_id": "tag-vip", "name": "VIP 2026", "color": "green"}),
        ]

    async def test_color_only_keeps_the_name(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), ok({})]
        data = ok_data(await run(self.action, {"tag_id": "tag-vip", "color": "red"}, mock_context))
        assert data == {"tag": {"id": "tag-vip", "name": "VIP", "color": "red"}}
        assert requests(mock_context)[1][3] == {"tag_id": "tag-vip", "color": "red"}

    async def test_its_own_name_in_another_case_is_allowed(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), ok({})]
        data = ok_data(await run(self.action, {"tag_id": "tag-vip", "name": "vip"}, mock_context))
        assert data["tag"]["name"] == "vip"

    async def test_nothing_to_change_is_refused_before_sending(self, mock_context):
        assert_input_error(await run(self.action, {"tag_id": "tag-vip"}, mock_context), mock_context, "name, color")

    async def test_another_tags_name_is_refused(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP, SPEAKER)]
        failed(await run(self.action, {"tag_id": "tag-vip", "name": "speaker"}, mock_context), "tag-spk", "exists")
        assert methods(mock_context) == ["GET"]

    async def test_an_unknown_tag_id_lists_the_calendars_tags(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP, SPEAKER)]
        message = failed(await run(self.action, {"tag_id": "tag-vp", "color": "red"}, mock_context), "tag-vp")
        assert "Did you mean 'tag-vip'?" in message and "'Speaker' (tag-spk)" in message
        assert methods(mock_context) == ["GET"]

    async def test_a_tag_deleted_meanwhile_is_not_found(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), luma_error(404, "Tag not found")]
        failed(await run(self.action, {"tag_id": "tag-vip", "color": "red"}, mock_context), "404", "deleted")

    async def test_lost_answer_reads_the_tag_back(self, mock_context, no_sleep):
        changed = dict(VIP, name="VIPs", color="red")
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), tag_list(changed)]
        inputs = {"tag_id": "tag-vip", "name": "VIPs", "color": "red"}
        assert ok_data(await run(self.action, inputs, mock_context)) == {"tag": changed}
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_answer_with_one_field_unchanged_is_unconfirmed(self, mock_context, no_sleep):
        half = dict(VIP, name="VIPs")
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), tag_list(half), tag_list(half)]
        inputs = {"tag_id": "tag-vip", "name": "VIPs", "color": "red"}
        failed(await run(self.action, inputs, mock_context), "not confirmed", "name and color", self.list_action)
        assert methods(mock_context).count("POST") == 1


class TestUpdatePersonTag(UpdateTag, PersonKind):
    pass


class TestUpdateEventTag(UpdateTag, EventKind):
    pass


# ---- delete --------------------------------------------------------------------------------------------------


class DeleteTag(Kind):
    @property
    def action(self):
        return f"delete_{self.kind}_tag"

    async def test_deletes(self, mock_context):
        mock_context.fetch.return_value = ok({})
        data = ok_data(await run(self.action, {"tag_id": "tag-vip"}, mock_context))
        assert data == {"deleted": True, "tag_id": "tag-vip", "already_absent": False}
        assert requests(mock_context) == [("POST", f"{self.path}/delete", [], {"tag_id": "tag-vip"})]

    async def test_a_tag_luma_does_not_know_is_already_absent(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Tag tag-vip not found")
        data = ok_data(await run(self.action, {"tag_id": "tag-vip"}, mock_context))
        assert data == {"deleted": True, "tag_id": "tag-vip", "already_absent": True}

    async def test_lost_answer_finds_it_gone(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [lost(), tag_list(SPEAKER)]
        data = ok_data(await run(self.action, {"tag_id": "tag-vip"}, mock_context))
        assert data == {"deleted": True, "tag_id": "tag-vip", "already_absent": False}
        assert endpoints(mock_context) == [("POST", f"{self.path}/delete"), ("GET", f"{self.path}/list")]

    async def test_lost_answer_with_the_tag_still_there_is_unconfirmed(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [unavailable(), tag_list(VIP), tag_list(VIP)]
        failed(await run(self.action, {"tag_id": "tag-vip"}, mock_context), "not confirmed", self.list_action)
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_a_blank_id_is_refused(self, mock_context):
        assert_schema_error(await run(self.action, {"tag_id": "   "}, mock_context), mock_context)

    async def test_a_tag_name_given_as_its_id_names_the_tag(self, mock_context):
        mock_context.fetch.return_value = tag_list(VIP, SPEAKER)
        message = failed(await run(self.action, {"tag_id": "vip"}, mock_context))
        assert message == f"'vip' is the name of {self.kind} tag tag-vip; {self.action} takes its id."
        assert methods(mock_context) == ["GET"]

    async def test_an_id_without_the_tag_prefix_that_no_tag_has_is_sent_and_its_404_is_an_error(self, mock_context):
        # Luma may still know it (its ids only "usually" start with tag-), but a 404 to a value in no tag id's form
        # says it never named a tag: "already absent" would hide the mistake.
        mock_context.fetch.side_effect = [tag_list(VIP), luma_error(404, "Tag 12345 not found")]
        failed(await run(self.action, {"tag_id": "12345"}, mock_context), "'12345'", "tag-", "nothing was changed")
        assert methods(mock_context) == ["GET", "POST"]


class TestDeletePersonTag(DeleteTag, PersonKind):
    pass


class TestDeleteEventTag(DeleteTag, EventKind):
    pass


# ---- put on / take off: what both kinds share ----------------------------------------------------------------


def person(n: int, *tags: dict) -> dict:
    """The n-th person of the calendar (p{n}@example.com, usr-{n}) carrying `tags`."""
    return dict(contact(n), tags=[{"id": tag["id"], "name": tag["name"]} for tag in tags])


def event(event_id: str, *tags: dict) -> dict:
    return dict(EVENT, id=event_id, tags=[{"id": tag["id"], "name": tag["name"]} for tag in tags])


class Retag(Kind):
    """What tag_people, untag_people, tag_events and untag_events share; subclasses say which."""

    verb = "tag"

    @property
    def action(self):
        return f"{self.verb}_{'people' if self.kind == 'person' else 'events'}"

    @property
    def route(self):
        return f"{self.path}/{'apply' if self.verb == 'tag' else 'unapply'}"

    @property
    def counted(self):
        return "applied_count" if self.verb == "tag" else "removed_count"

    def answer(self, done: int, skipped: int):
        return ok({self.counted: done, "skipped_count": skipped})

    async def test_resolves_a_name_and_sends_the_tags_id(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(SPEAKER, VIP), self.answer(1, 0)]
        data = ok_data(await run(self.action, {"tag": "vip", **self.targets}, mock_context))
        assert data == {
            "tag": {"id": "tag-vip", "name": "VIP"},
            self.counted: 1,
            "skipped_count": 0,
            "confirmed_by_check": False,
            "unconfirmed": [],
        }
        body = requests(mock_context)[1][3]
        assert requests(mock_context)[0] == ("GET", f"{self.path}/list", [], None)
        assert endpoints(mock_context)[1] == ("POST", self.route) and body["tag"] == "tag-vip"

    async def test_takes_the_tag_by_id(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), self.answer(1, 0)]
        ok_data(await run(self.action, {"tag": "tag-vip", **self.targets}, mock_context))
        assert requests(mock_context)[1][3]["tag"] == "tag-vip"

    async def test_an_exact_name_wins_over_one_in_another_case(self, mock_context):
        other = {"id": "tag-vip2", "name": "vip", "color": "red"}
        mock_context.fetch.side_effect = [tag_list(VIP, other), self.answer(1, 0)]
        ok_data(await run(self.action, {"tag": "vip", **self.targets}, mock_context))
        assert requests(mock_context)[1][3]["tag"] == "tag-vip2"

    async def test_names_that_differ_only_in_case_are_ambiguous(self, mock_context):
        other = {"id": "tag-vip2", "name": "vip", "color": "red"}
        mock_context.fetch.side_effect = [tag_list(VIP, other)]
        failed(await run(self.action, {"tag": "Vip", **self.targets}, mock_context), "differ only in case", "id")
        assert methods(mock_context) == ["GET"]

    async def test_a_misspelt_tag_lists_the_calendars_tags_and_sends_nothing(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP, SPEAKER)]
        message = failed(await run(self.action, {"tag": "Speakr", **self.targets}, mock_context))
        assert "Did you mean 'Speaker'?" in message and "'VIP' (tag-vip)" in message
        assert f"create_{self.kind}_tag" in message
        assert methods(mock_context) == ["GET"]

    async def test_a_calendar_without_tags_says_so(self, mock_context):
        mock_context.fetch.side_effect = [tag_list()]
        failed(await run(self.action, {"tag": "VIP", **self.targets}, mock_context), f"no {self.kind} tags yet")

    async def test_float_counts_are_whole_numbers(self, mock_context):
        answer = ok({self.counted: 2.0, "skipped_count": 0.0})
        mock_context.fetch.side_effect = [tag_list(VIP), answer]
        data = ok_data(await run(self.action, {"tag": "VIP", **self.targets}, mock_context))
        assert (data[self.counted], data["skipped_count"]) == (2, 0)

    async def test_an_answer_without_counts_says_unknown(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), ok({})]
        data = ok_data(await run(self.action, {"tag": "VIP", **self.targets}, mock_context))
        assert (data[self.counted], data["skipped_count"], data["confirmed_by_check"]) == (None, None, False)

    async def test_an_unknown_tag_luma_refuses_is_said(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), luma_error(404, "Tag not found")]
        failed(await run(self.action, {"tag": "VIP", **self.targets}, mock_context), "404", "Tag not found")

    async def test_nothing_confirmed_after_a_lost_answer_is_unconfirmed(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), self.unchanged(), self.unchanged()]
        message = failed(await run(self.action, {"tag": "VIP", **self.targets}, mock_context), "not confirmed")
        assert "'VIP' (tag-vip)" in message
        assert methods(mock_context).count("POST") == 1


class PeopleTargets(PersonKind):
    """tag_people / untag_people: who is named, and how the check after a lost answer reads them."""

    targets = {"emails": ["p1@example.com"]}
    holders_route = "/v1/calendars/contacts/list"

    def unchanged(self):
        """What the check reads when the request did not land: p1 not tagged (tag), still tagged (untag)."""
        return page([person(1, VIP)] if self.verb == "untag" else [])

    async def test_emails_are_normalized_and_repeats_dropped(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), self.answer(2, 1)]
        inputs = {
            "tag": "VIP",
            "emails": [" Ana@Example.COM", "ana@example.com", "ben@example.com"],
            "user_ids": ["usr-1", " usr-1", "usr-2"],
        }
        ok_data(await run(self.action, inputs, mock_context))
        assert requests(mock_context)[1][3] == {
            "tag": "tag-vip",
            "emails": ["Ana@example.com", "ben@example.com"],
            "user_ids": ["usr-1", "usr-2"],
        }

    async def test_user_ids_alone(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), self.answer(1, 0)]
        ok_data(await run(self.action, {"tag": "VIP", "user_ids": ["usr-1"]}, mock_context))
        assert requests(mock_context)[1][3] == {"tag": "tag-vip", "user_ids": ["usr-1"]}

    @pytest.mark.parametrize("people", [{}, {"emails": []}, {"emails": [], "user_ids": []}])
    async def test_nobody_is_refused_before_sending(self, mock_context, people):
        result = await run(self.action, {"tag": "VIP", **people}, mock_context)
        assert_input_error(result, mock_context, "emails, user_ids or both")

    async def test_an_invalid_email_is_refused_before_sending(self, mock_context):
        result = await run(self.action, {"tag": "VIP", "emails": ["ok@example.com", "not-an-email"]}, mock_context)
        assert_input_error(result, mock_context, "emails[1]", "not-an-email")

    async def test_more_than_100_together_is_refused_before_sending(self, mock_context):
        people = {"emails": [f"p{i}@example.com" for i in range(60)], "user_ids": [f"usr-{i}" for i in range(41)]}
        result = await run(self.action, {"tag": "VIP", **people}, mock_context)
        assert_input_error(result, mock_context, "101 entries", "at most 100")

    async def test_100_together_after_repeats_are_dropped_is_accepted(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), self.answer(100, 0)]
        people = {"emails": [f"p{i}@example.com" for i in range(60)] + ["P0@example.com"]}
        people["user_ids"] = [f"usr-{i}" for i in range(40)]
        ok_data(await run(self.action, {"tag": "VIP", **people}, mock_context))

    @pytest.mark.parametrize(
        "people", [{"emails": "a@example.com"}, {"emails": [""]}, {"user_ids": [" "]}, {"emails": ["a@b.co"] * 101}]
    )
    async def test_schema_rejects(self, mock_context, people):
        assert_schema_error(await run(self.action, {"tag": "VIP", **people}, mock_context), mock_context)

    async def test_lost_answer_check_reads_the_tags_people(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), self.after(ana=True, ben=True)]
        inputs = {"tag": "VIP", "emails": ["p1@example.com"], "user_ids": ["usr-2"]}
        data = ok_data(await run(self.action, inputs, mock_context))
        assert data == {
            "tag": {"id": "tag-vip", "name": "VIP"},
            self.counted: 2,
            "skipped_count": self.skipped_when_all_confirmed,
            "confirmed_by_check": True,
            "unconfirmed": [],
        }
        assert requests(mock_context)[2] == (
            "GET",
            self.holders_route,
            [("tags", "tag-vip"), ("pagination_limit", "100")],
            None,
        )
        assert methods(mock_context) == ["GET", "POST", "GET"]


class TestTagPeople(PeopleTargets, Retag):
    verb = "tag"
    skipped_when_all_confirmed = 0  # everyone seen carrying the tag is on the calendar

    def after(self, ana: bool, ben: bool):
        """The tag's people after the write: p1 and/or usr-2 carrying it, among others."""
        return page([person(7, VIP)] + ([person(1, VIP)] if ana else []) + ([person(2, VIP)] if ben else []))

    async def test_lost_answer_some_seen_leaves_the_rest_unconfirmed(self, mock_context, no_sleep):
        seen = self.after(ana=True, ben=False)
        mock_context.fetch.side_effect = [tag_list(VIP), unavailable(), seen, self.after(ana=True, ben=False)]
        inputs = {"tag": "VIP", "emails": ["p1@example.com", "Ghost@Example.com"]}
        data = ok_data(await run(self.action, inputs, mock_context))
        assert (data["applied_count"], data["skipped_count"]) == (1, None)
        assert data["confirmed_by_check"] is True and data["unconfirmed"] == ["Ghost@example.com"]
        assert methods(mock_context).count("POST") == 1

    async def test_lost_answer_check_stops_once_everyone_is_seen(self, mock_context, no_sleep):
        first = page([person(1, VIP)], "c1")
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), first]
        ok_data(await run(self.action, {"tag": "VIP", "user_ids": ["usr-1"]}, mock_context))
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_lost_answer_check_reads_a_few_pages_at_most(self, mock_context, no_sleep):
        pages = [page([person(100 + i, VIP)], f"c{i}") for i in range(2 * CHECK_PAGES)]
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), *pages]
        failed(await run(self.action, {"tag": "VIP", "user_ids": ["usr-1"]}, mock_context), "not confirmed")
        assert methods(mock_context) == ["GET", "POST"] + ["GET"] * (2 * CHECK_PAGES)


class TestUntagPeople(PeopleTargets, Retag):
    verb = "untag"
    skipped_when_all_confirmed = None  # not carrying the tag: maybe not on the calendar at all

    def after(self, ana: bool, ben: bool):
        """The tag's people after the write: someone else still carries it; p1 / usr-2 taken off."""
        return page([person(7, VIP)])

    async def test_lost_answer_with_someone_still_tagged_is_unconfirmed(self, mock_context, no_sleep):
        still = page([person(1, VIP), person(7, VIP)])
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), still, page([person(1, VIP)])]
        inputs = {"tag": "VIP", "emails": ["p1@example.com", "p2@example.com"]}
        failed(await run(self.action, inputs, mock_context), "not confirmed", "list_people")
        assert methods(mock_context).count("POST") == 1

    async def test_lost_answer_past_the_pages_read_is_unconfirmed(self, mock_context, no_sleep):
        # The tag's people go on beyond the pages the check reads: absence from them proves nothing.
        pages = [page([person(100 + i, VIP)], f"c{i}") for i in range(2 * CHECK_PAGES)]
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), *pages]
        failed(await run(self.action, {"tag": "VIP", "user_ids": ["usr-1"]}, mock_context), "not confirmed")
        assert methods(mock_context).count("POST") == 1


class EventTargets(EventKind):
    """tag_events / untag_events: Luma's body field is event_ids; the check reads the calendar's events."""

    targets = {"event_api_ids": ["evt-1"]}
    holders_route = "/v1/calendars/events/list"
    holders_query = [
        ("access", "manage"),
        ("access", "view"),
        ("sort_direction", "desc"),
        ("pagination_limit", "100"),
    ]

    def unchanged(self):
        """What the check reads when the request did not land: evt-1 without the tag (tag), with it (untag)."""
        return page([event("evt-1", VIP)] if self.verb == "untag" else [event("evt-1")])

    async def test_sends_event_ids_without_repeats(self, mock_context):
        mock_context.fetch.side_effect = [tag_list(VIP), self.answer(2, 0)]
        inputs = {"tag": "VIP", "event_api_ids": ["evt-1", " evt-2", "evt-1"]}
        ok_data(await run(self.action, inputs, mock_context))
        assert requests(mock_context)[1][3] == {"tag": "tag-vip", "event_ids": ["evt-1", "evt-2"]}

    @pytest.mark.parametrize("ids", [[], [""], ["evt-1", "  "], [f"evt-{i}" for i in range(101)], "evt-1"])
    async def test_schema_rejects(self, mock_context, ids):
        assert_schema_error(await run(self.action, {"tag": "VIP", "event_api_ids": ids}, mock_context), mock_context)

    async def test_the_event_ids_are_required(self, mock_context):
        assert_schema_error(await run(self.action, {"tag": "VIP"}, mock_context), mock_context)


class TestTagEvents(EventTargets, Retag):
    verb = "tag"

    async def test_lost_answer_check_reads_the_calendars_latest_events(self, mock_context, no_sleep):
        first = page([event("evt-9"), event("evt-1", SPEAKER, VIP)], "c1")
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), first, page([event("evt-2", VIP)])]
        data = ok_data(await run(self.action, {"tag": "VIP", "event_api_ids": ["evt-1", "evt-2"]}, mock_context))
        assert (data["applied_count"], data["skipped_count"], data["unconfirmed"]) == (2, 0, [])
        assert data["confirmed_by_check"] is True
        sent = requests(mock_context)
        assert sent[2] == ("GET", self.holders_route, self.holders_query, None)
        assert sent[3][2] == self.holders_query + [("pagination_cursor", "c1")]
        assert len(sent) == 4

    async def test_lost_answer_with_an_event_seen_without_the_tag_is_unconfirmed(self, mock_context, no_sleep):
        # Luma applies one request as a whole: an event of the calendar without the tag shows it did not land.
        seen = page([event("evt-1", VIP), event("evt-2")])
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), seen, seen]
        inputs = {"tag": "VIP", "event_api_ids": ["evt-1", "evt-2"]}
        failed(await run(self.action, inputs, mock_context), "not confirmed", "get_events")
        assert methods(mock_context).count("POST") == 1

    async def test_lost_answer_with_an_event_not_seen_leaves_it_unconfirmed(self, mock_context, no_sleep):
        seen = page([event("evt-1", VIP)])
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), seen, page([event("evt-1", VIP)])]
        data = ok_data(await run(self.action, {"tag": "VIP", "event_api_ids": ["evt-1", "evt-x"]}, mock_context))
        assert (data["applied_count"], data["skipped_count"], data["unconfirmed"]) == (1, None, ["evt-x"])


class TestUntagEvents(EventTargets, Retag):
    verb = "untag"

    async def test_lost_answer_check_sees_the_events_without_the_tag(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), page([event("evt-1", SPEAKER), event("evt-2")])]
        data = ok_data(await run(self.action, {"tag": "VIP", "event_api_ids": ["evt-1", "evt-2"]}, mock_context))
        assert (data["removed_count"], data["skipped_count"], data["unconfirmed"]) == (2, 0, [])
        assert requests(mock_context)[2] == ("GET", self.holders_route, self.holders_query, None)

    async def test_lost_answer_counts_an_event_absent_from_the_whole_list_as_untagged(self, mock_context, no_sleep):
        # Not on the calendar at all: it carries no tag of this calendar, though Luma skipped it.
        mock_context.fetch.side_effect = [tag_list(VIP), lost(), page([event("evt-1")])]
        data = ok_data(await run(self.action, {"tag": "VIP", "event_api_ids": ["evt-1", "evt-x"]}, mock_context))
        assert (data["removed_count"], data["skipped_count"], data["unconfirmed"]) == (2, None, [])
