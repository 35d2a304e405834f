"""The calendar's people (list_people, import_people, block_person, remove_person, restore_person) with a mocked
context.fetch."""

from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
from autohive_integrations_sdk.integration import ResultType

from luma import luma
from tests.support.fakes import assert_input_error, assert_schema_error, counts, endpoints, failed, luma_error
from tests.support.fakes import message_of, methods, ok, ok_data, query_of, requests, run, sent_url
from tests.support.samples import contact, emails

pytestmark = pytest.mark.unit

TAGS = [
    {"id": "tag-vip", "name": "VIP", "color": "purple"},
    {"id": "tag-sponsor", "name": "Sponsor", "color": "yellow"},
]
TAGS_LIST = ("GET", "/v1/calendars/contact-tags/list")
PEOPLE_LIST = ("GET", "/v1/calendars/contacts/list")


def someone(email: str, tags: tuple[str, ...] = (), at: str = "2026-01-01T00:00:00.000Z") -> dict:
    """A person of the calendar, as contacts/list returns them, with these tag ids."""
    local = email.split("@")[0]
    named = {tag["id"]: tag["name"] for tag in TAGS}
    return {
        **contact(0),
        "id": f"usr-{local}",
        "user_id": f"usr-{local}",
        "email": email,
        "name": local.title(),
        "created_at": at,
        "tags": [{"id": tag_id, "name": named.get(tag_id, tag_id)} for tag_id in tags],
    }


class FakePeople:
    """`fetch` answers context.fetch as Luma would for the calendar's people: contact-tags/list, contacts/list
    (query search, pages of pagination_limit), import, block, remove, restore. Each POST follows `script`: "apply"
    (do it, answer {}), "drop" (do it, then lose the answer), "lost" (lose the request), or an exception to raise."""

    def __init__(self, people=(), script=(), off=(), reject=(), clock=None, post_seconds=0.0):
        self.people = {p["email"].lower(): p for p in people}
        # Removed or blocked people: known to Luma, not listed.
        self.off = {p["email"].lower(): p for p in off}
        self.script = list(script)
        self.reject = {email.lower() for email in reject}
        self.clock, self.post_seconds = clock, post_seconds
        self.posts = []
        self.searches = []  # query of every contacts/list search
        self.page_reads = 0  # contacts/list reads without a query

    def answering(self, ctx):
        ctx.fetch.side_effect = self.fetch
        return self

    def _named(self, body):
        for people in (self.people, self.off):
            for person in people.values():
                if body.get("email", "").lower() == person["email"].lower() or body.get("contact_id") == person["id"]:
                    return person
        return None

    def _apply(self, path, body):
        if path.endswith("/import"):
            now = datetime.now(timezone.utc).isoformat()
            for entry in body["contacts"]:
                email = entry["email"].lower()
                person = self.people.get(email) or self.off.pop(email, None) or someone(entry["email"], at=now)
                held = [tag["id"] for tag in person["tags"]]
                person["tags"] = [
                    {"id": t, "name": t} for t in held + [t for t in body.get("tags", []) if t not in held]
                ]
                self.people[email] = person
            return
        person = self._named(body)
        if path.endswith("/restore"):
            self.people[person["email"].lower()] = self.off.pop(person["email"].lower(), person)
        else:
            self.off[person["email"].lower()] = self.people.pop(person["email"].lower(), person)

    async def fetch(self, url, method="GET", json=None, **kwargs):
        path, query = urlsplit(url).path, dict(parse_qsl(urlsplit(url).query))
        if path == "/v1/calendars/contact-tags/list":
            return ok({"entries": TAGS, "has_more": False})
        if method == "GET":
            listed = sorted(self.people.values(), key=lambda person: person["email"])
            if "query" in query:
                self.searches.append(query["query"])
                listed = [p for p in listed if query["query"].lower() in p["email"].lower()]
            else:
                self.page_reads += 1
            start = int(query.get("pagination_cursor", "0"))
            end = start + int(query["pagination_limit"])
            more = end < len(listed)
            return ok({"entries": listed[start:end], "has_more": more, **({"next_cursor": str(end)} if more else {})})
        self.posts.append((path, json))
        if self.clock is not None:
            self.clock.now += self.post_seconds
        for index, entry in enumerate(json.get("contacts", [])):
            if entry["email"].lower() in self.reject:
                raise luma_error(400, f"Invalid contacts[{index}].email: {entry['email']}")
        if not path.endswith("/import") and self._named(json) is None:
            raise luma_error(404, f"Contact {json.get('email') or json.get('contact_id')} not found")
        step = self.script.pop(0) if self.script else "apply"
        if isinstance(step, Exception):
            raise step
        if step == "lost":
            raise aiohttp.ServerDisconnectedError()
        self._apply(path, json)
        if step == "drop":
            raise aiohttp.ServerDisconnectedError()
        return ok({})


class TestListPeople:
    async def test_sends_every_filter_with_the_ids_of_the_tags_as_repeated_keys(self, mock_context):
        mock_context.fetch.side_effect = [
            ok({"entries": TAGS, "has_more": False}),
            ok({"entries": [contact(1)], "has_more": False}),
        ]
        result = await luma.execute_action(
            "list_people",
            {
                "query": "example.com",
                "tags": ["vip", "tag-sponsor"],
                "membership_status": "approved-pending-payment",
                "calendar_membership_tier_id": "tier-gold",
                "sort_column": "revenue_usd_cents",
                "sort_direction": "desc",
            },
            mock_context,
        )
        assert result.type == ResultType.ACTION
        assert endpoints(mock_context) == [TAGS_LIST, PEOPLE_LIST]
        call = mock_context.fetch.call_args
        assert call.kwargs["method"] == "GET"
        assert urlsplit(sent_url(call)).path == "/v1/calendars/contacts/list"
        assert sorted(query_of(call)) == sorted(
            [
                ("query", "example.com"),
                ("tags", "tag-vip"),
                ("tags", "tag-sponsor"),
                ("membership_status", "approved-pending-payment"),
                ("calendar_membership_tier_id", "tier-gold"),
                ("sort_column", "revenue_usd_cents"),
                ("sort_direction", "desc"),
                ("pagination_limit", "100"),
            ]
        )

    @pytest.mark.parametrize("inputs", [{"query": "ana"}, {"query": "ana", "tags": []}])
    async def test_without_tags_the_tags_are_not_read(self, mock_context, inputs):
        mock_context.fetch.return_value = ok({"entries": [], "has_more": False})
        ok_data(await run("list_people", inputs, mock_context))
        assert endpoints(mock_context) == [PEOPLE_LIST]
        assert ("tags", "") not in requests(mock_context)[0][2]

    async def test_a_tag_the_calendar_lacks_is_an_error_listing_its_tags(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": TAGS, "has_more": False})
        message = failed(await run("list_people", {"tags": ["VIP", "speakers"]}, mock_context), "'speakers'")
        assert "'VIP' (tag-vip)" in message and "'Sponsor' (tag-sponsor)" in message
        assert endpoints(mock_context) == [TAGS_LIST]

    async def test_a_calendar_without_tags_says_so(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [], "has_more": False})
        failed(await run("list_people", {"tags": ["vip"]}, mock_context), "has no tags yet")

    async def test_a_tag_named_twice_is_sent_once(self, mock_context):
        mock_context.fetch.side_effect = [
            ok({"entries": TAGS, "has_more": False}),
            ok({"entries": [], "has_more": False}),
        ]
        ok_data(await run("list_people", {"tags": ["vip", "VIP", "tag-vip"]}, mock_context))
        assert [value for key, value in requests(mock_context)[1][2] if key == "tags"] == ["tag-vip"]

    async def test_names_differing_only_in_case_need_the_id(self, mock_context):
        twins = [{"id": "tag-a", "name": "Vip", "color": "red"}, {"id": "tag-b", "name": "VIP ", "color": "red"}]
        twins[1]["name"] = "vIP"
        mock_context.fetch.return_value = ok({"entries": twins, "has_more": False})
        failed(await run("list_people", {"tags": ["vip"]}, mock_context), "more than one tag", "tag-a", "tag-b")

    async def test_an_exact_name_wins_over_other_cases(self, mock_context):
        twins = [{"id": "tag-a", "name": "Vip", "color": "red"}, {"id": "tag-b", "name": "VIP", "color": "red"}]
        mock_context.fetch.side_effect = [
            ok({"entries": twins, "has_more": False}),
            ok({"entries": [], "has_more": False}),
        ]
        ok_data(await run("list_people", {"tags": ["VIP"]}, mock_context))
        assert ("tags", "tag-b") in requests(mock_context)[1][2]

    async def test_response_shape_passes_luma_objects_through(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [contact(1), contact(2)], "has_more": False})
        result = await luma.execute_action("list_people", {"detail": "full"}, mock_context)
        assert result.result.data == {"people": [contact(1), contact(2)], "has_more": False, "next_cursor": None}
        assert query_of(mock_context.fetch.call_args) == [("pagination_limit", "100")]

    async def test_follows_pages_up_to_limit_and_returns_cursor(self, mock_context):
        mock_context.fetch.side_effect = [
            ok({"entries": [contact(i) for i in range(100)], "has_more": True, "next_cursor": "c1"}),
            ok({"entries": [contact(i) for i in range(100, 120)], "has_more": True, "next_cursor": "c2"}),
        ]
        result = await luma.execute_action("list_people", {"limit": 120}, mock_context)
        data = result.result.data
        assert [p["id"] for p in data["people"]] == [f"cnt-{i}" for i in range(120)]
        assert data["has_more"] is True and data["next_cursor"] == "c2"
        second = mock_context.fetch.call_args_list[1]
        assert ("pagination_cursor", "c1") in query_of(second) and ("pagination_limit", "20") in query_of(second)

    async def test_reads_all_pages_when_list_ends(self, mock_context):
        mock_context.fetch.side_effect = [
            ok({"entries": [contact(i) for i in range(100)], "has_more": True, "next_cursor": "c1"}),
            ok({"entries": [contact(100)], "has_more": False}),
        ]
        result = await luma.execute_action("list_people", {"limit": 1000}, mock_context)
        assert len(result.result.data["people"]) == 101
        assert result.result.data["has_more"] is False and result.result.data["next_cursor"] is None

    async def test_continues_from_cursor(self, mock_context):
        mock_context.fetch.return_value = ok({"entries": [], "has_more": False})
        await luma.execute_action("list_people", {"cursor": "c7", "query": "ana"}, mock_context)
        assert ("pagination_cursor", "c7") in query_of(mock_context.fetch.call_args)

    @pytest.mark.parametrize(
        "inputs",
        [
            {"sort_column": "email"},
            {"membership_status": "member"},
            {"limit": 1001},
            {"tags": "vip"},
            {"tags": [""]},
            {"member_status": "approved"},
        ],
    )
    async def test_schema_rejects_bad_input_before_sending(self, mock_context, inputs):
        result = await luma.execute_action("list_people", inputs, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR
        assert mock_context.fetch.call_count == 0

    async def test_permission_error_is_explained(self, mock_context):
        mock_context.fetch.side_effect = luma_error(403, "You don't have access")
        result = await luma.execute_action("list_people", {}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "403" in result.result.message and "You don't have access" in result.result.message


# ---- import_people ------------------------------------------------------------------------------------------

IMPORT = ("POST", "/v1/calendars/contacts/import")


async def imported(people, ctx, **inputs):
    """The data of a successful import_people of these people."""
    return ok_data(await run("import_people", {"people": people, **inputs}, ctx))


class TestImportPeople:
    async def test_small_list_is_checked_per_email_and_only_new_people_are_sent(self, mock_context):
        fake = FakePeople([someone("old@example.com")]).answering(mock_context)
        data = await imported(["old@example.com", {"email": "new@example.com", "name": "New One"}], mock_context)
        assert data["results"][0]["email"] == "old@example.com"
        assert data["results"][0]["status"] == "already_person"
        assert "nothing was sent" in data["results"][0]["message"] and "keeps the name" in data["results"][0]["message"]
        assert data["results"][1] == {"email": "new@example.com", "status": "imported"}
        assert counts(data, "imported", "already_person", "failed", "unconfirmed", "not_processed") == (1, 1, 0, 0, 0)
        assert fake.posts == [
            ("/v1/calendars/contacts/import", {"contacts": [{"email": "new@example.com", "name": "New One"}]})
        ]
        assert sorted(fake.searches) == ["new@example.com", "old@example.com"]

    async def test_tags_are_sent_as_ids_and_applied_to_people_who_lack_them(self, mock_context):
        people = [someone("tagged@example.com", ("tag-vip",)), someone("plain@example.com")]
        fake = FakePeople(people).answering(mock_context)
        data = await imported(
            ["tagged@example.com", "plain@example.com", "new@example.com"], mock_context, tags=["vip"]
        )
        statuses = [(r["email"], r["status"]) for r in data["results"]]
        assert statuses == [
            ("tagged@example.com", "already_person"),
            ("plain@example.com", "already_person"),
            ("new@example.com", "imported"),
        ]
        assert "nothing was sent" in data["results"][0]["message"]
        assert "tags given were applied" in data["results"][1]["message"]
        body = {"contacts": [{"email": "plain@example.com"}, {"email": "new@example.com"}], "tags": ["tag-vip"]}
        assert fake.posts == [("/v1/calendars/contacts/import", body)]
        assert endpoints(mock_context)[0] == TAGS_LIST

    async def test_an_unknown_tag_is_refused_before_anything_else(self, mock_context):
        fake = FakePeople().answering(mock_context)
        message = failed(await run("import_people", {"people": ["a@example.com"], "tags": ["Speakers"]}, mock_context))
        assert "'Speakers'" in message and "'VIP' (tag-vip)" in message
        assert endpoints(mock_context) == [TAGS_LIST] and fake.posts == []

    async def test_a_large_list_is_checked_with_one_read_of_a_small_people_list(self, mock_context):
        fake = FakePeople([someone(f"p{i}@example.org") for i in range(150)]).answering(mock_context)
        data = await imported(emails(120), mock_context)
        assert [len(body["contacts"]) for _, body in fake.posts] == [50, 50, 20]
        assert fake.searches == [] and fake.page_reads == 2
        assert data["imported_count"] == 120

    async def test_a_large_people_list_is_read_only_as_far_as_searching_would_cost(self, mock_context):
        # 12 emails on a calendar of 3000 people: one is seen on the first page, so 11 pages are read (what searching
        # for the 11 others costs), then those 11 are searched for.
        crowd = [someone(f"a{i:04d}@example.org") for i in range(3000)]
        fake = FakePeople(crowd + [someone("person000@example.com")]).answering(mock_context)
        data = await imported(["a0001@example.org", *emails(11)], mock_context)
        assert fake.page_reads == 11
        assert sorted(fake.searches) == emails(11)
        assert counts(data, "imported", "already_person") == (10, 2)

    async def test_repeated_emails_are_sent_once(self, mock_context):
        fake = FakePeople().answering(mock_context)
        data = await imported(["Ana@Example.com", "ana@example.com", {"email": "ANA@example.com"}], mock_context)
        assert data["results"] == [{"email": "Ana@example.com", "status": "imported"}]
        assert fake.posts[0][1]["contacts"] == [{"email": "Ana@example.com"}]

    async def test_lost_answer_is_confirmed_by_looking_up_each_email(self, mock_context, no_sleep):
        fake = FakePeople(script=["drop"]).answering(mock_context)
        data = await imported(emails(8), mock_context, tags=["Sponsor"])
        assert len(fake.posts) == 1 and data["imported_count"] == 8
        assert len(fake.searches) == 16  # before sending, then once after the lost answer

    async def test_lost_request_is_unconfirmed_and_never_resent(self, mock_context, no_sleep):
        fake = FakePeople(script=["lost"]).answering(mock_context)
        data = await imported(emails(3), mock_context)
        assert len(fake.posts) == 1
        assert counts(data, "unconfirmed", "imported", "failed") == (3, 0, 0)
        assert "not sent again" in message_of(data, data["results"][2])
        assert "list_people" in data["results"][0]["message"]

    async def test_tags_not_seen_after_a_lost_answer_leave_it_unconfirmed(self, mock_context, no_sleep):
        # Someone already listed without the tag: finding them listed proves nothing, the tag must show.
        fake = FakePeople([someone("plain@example.com")], script=["lost"]).answering(mock_context)
        data = await imported(["plain@example.com"], mock_context, tags=["VIP"])
        assert data["results"][0]["status"] == "unconfirmed" and len(fake.posts) == 1

    async def test_tags_seen_after_a_lost_answer_confirm_it(self, mock_context, no_sleep):
        FakePeople([someone("plain@example.com")], script=["drop"]).answering(mock_context)
        data = await imported(["plain@example.com"], mock_context, tags=["VIP"])
        assert data["results"][0]["status"] == "already_person"
        assert "tags given were applied" in data["results"][0]["message"]

    async def test_rejected_email_fails_alone(self, mock_context):
        fake = FakePeople(reject=["person003@example.com"]).answering(mock_context)
        data = await imported(emails(8), mock_context)
        assert counts(data, "imported", "failed") == (7, 1)
        bad = data["results"][3]
        assert bad["status"] == "failed" and "Invalid contacts" in bad["message"]
        assert [len(body["contacts"]) for _, body in fake.posts] == [8, 4, 2, 2, 1, 1, 4]

    async def test_time_budget_reports_unsent_emails_as_not_processed(self, mock_context, clock):
        FakePeople(clock=clock, post_seconds=8.0).answering(mock_context)
        data = await imported(emails(120), mock_context)
        assert counts(data, "imported", "not_processed") == (100, 20)
        assert "time budget" in message_of(data, data["results"][119])

    async def test_a_server_error_stops_the_run_with_the_rest_not_processed(self, mock_context, no_sleep):
        fake = FakePeople(script=[luma_error(500, "oops")]).answering(mock_context)
        data = await imported(emails(60), mock_context)
        assert len(fake.posts) == 1
        assert counts(data, "unconfirmed", "not_processed") == (50, 10)
        assert "the calendar's people" in message_of(data, data["results"][59])

    async def test_malformed_email_is_refused_before_sending(self, mock_context):
        result = await run("import_people", {"people": ["ok@example.com", "not-an-email"]}, mock_context)
        assert_input_error(result, mock_context, "not-an-email", "people[1]")

    async def test_more_than_1000_people_is_a_short_clear_error(self, mock_context):
        result = await run("import_people", {"people": emails(1001)}, mock_context)
        assert_input_error(result, mock_context, "people has 1001 entries", "at most 1000")

    @pytest.mark.parametrize(
        "inputs",
        [
            {"people": []},
            {"people": "ana@example.com"},
            {"people": [{"name": "No Email"}]},
            {"people": ["a@example.com"], "tags": "VIP"},
            {"people": ["a@example.com"], "guests": ["b@example.com"]},
        ],
    )
    async def test_schema_rejects_bad_input_before_sending(self, mock_context, inputs):
        assert_schema_error(await run("import_people", inputs, mock_context), mock_context)


# ---- remove_person, block_person, restore_person ------------------------------------------------------------

REMOVE = ("POST", "/v1/calendars/contacts/remove")
BLOCK = ("POST", "/v1/calendars/contacts/block")
RESTORE = ("POST", "/v1/calendars/contacts/restore")
ANA = someone("ana@example.com", ("tag-vip",))


def summary_of(person: dict) -> dict:
    from operations.people import person_summary

    return person_summary(person)


@pytest.mark.parametrize("action", ["remove_person", "block_person", "restore_person"])
class TestOnePersonInputs:
    async def test_email_or_contact_id_not_both(self, mock_context, action):
        inputs = {"email": "ana@example.com", "contact_id": "usr-ana"}
        assert_input_error(await run(action, inputs, mock_context), mock_context, "either email or contact_id")

    async def test_one_of_them_is_needed(self, mock_context, action):
        assert_input_error(await run(action, {}, mock_context), mock_context, "email, or contact_id")

    async def test_a_malformed_email_is_refused(self, mock_context, action):
        result = await run(action, {"email": "ana(at)example.com"}, mock_context)
        assert result.type in (ResultType.VALIDATION_ERROR, ResultType.ACTION_ERROR)
        mock_context.fetch.assert_not_called()

    async def test_a_blank_contact_id_is_refused(self, mock_context, action):
        assert_schema_error(await run(action, {"contact_id": "  "}, mock_context), mock_context)


class TestRemovePerson:
    async def test_a_listed_person_is_removed_by_email(self, mock_context):
        fake = FakePeople([ANA, someone("hana@example.com")]).answering(mock_context)
        data = ok_data(await run("remove_person", {"email": "ana@EXAMPLE.com"}, mock_context))
        assert data == {"person": summary_of(ANA), "already_absent": False}
        assert requests(mock_context) == [
            ("GET", "/v1/calendars/contacts/list", [("query", "ana@example.com"), ("pagination_limit", "100")], None),
            ("POST", "/v1/calendars/contacts/remove", [], {"email": "ana@example.com"}),
        ]
        assert "ana@example.com" in fake.off

    async def test_by_contact_id_the_list_is_read_page_by_page(self, mock_context):
        crowd = [someone(f"a{i:03d}@example.org") for i in range(150)]
        fake = FakePeople(crowd + [someone("zed@example.com")]).answering(mock_context)
        data = ok_data(await run("remove_person", {"contact_id": "usr-zed"}, mock_context))
        assert data["person"]["email"] == "zed@example.com" and data["already_absent"] is False
        assert fake.page_reads == 2 and fake.posts == [("/v1/calendars/contacts/remove", {"contact_id": "usr-zed"})]

    async def test_someone_not_listed_is_already_absent_and_nothing_is_sent(self, mock_context):
        fake = FakePeople(off=[ANA]).answering(mock_context)
        data = ok_data(await run("remove_person", {"email": "ana@example.com"}, mock_context))
        assert data == {"person": {"email": "ana@example.com"}, "already_absent": True}
        assert fake.posts == []

    async def test_a_contact_id_not_listed_is_already_absent_only_in_the_form_of_one(self, mock_context):
        fake = FakePeople([ANA]).answering(mock_context)
        data = ok_data(await run("remove_person", {"contact_id": "usr-gone"}, mock_context))
        assert data == {"person": {"id": "usr-gone"}, "already_absent": True}
        result = await run("remove_person", {"contact_id": "aroha"}, mock_context)
        failed(result, "'aroha'", "contact_id takes a person's id (usr-…)", "list_people")
        assert fake.posts == []

    async def test_lumas_not_found_is_already_absent(self, mock_context):
        mock_context.fetch.side_effect = [ok({"entries": [ANA], "has_more": False}), luma_error(404, "not found")]
        data = ok_data(await run("remove_person", {"email": "ana@example.com"}, mock_context))
        assert data["already_absent"] is True

    async def test_lost_answer_is_confirmed_when_the_person_is_gone(self, mock_context, no_sleep):
        fake = FakePeople([ANA], script=["drop"]).answering(mock_context)
        data = ok_data(await run("remove_person", {"email": "ana@example.com"}, mock_context))
        assert data["already_absent"] is False and len(fake.posts) == 1
        assert endpoints(mock_context) == [PEOPLE_LIST, REMOVE, PEOPLE_LIST]

    async def test_lost_request_is_not_confirmed_and_never_resent(self, mock_context, no_sleep):
        fake = FakePeople([ANA], script=["lost"]).answering(mock_context)
        message = failed(await run("remove_person", {"contact_id": "usr-ana"}, mock_context), "not confirmed")
        assert "list_people" in message and len(fake.posts) == 1
        # Found by id first, then looked for by their email: one search instead of a read of every page.
        assert fake.page_reads == 1 and fake.searches == ["ana@example.com", "ana@example.com"]


class TestBlockPerson:
    async def test_a_listed_person_is_blocked(self, mock_context):
        fake = FakePeople([ANA]).answering(mock_context)
        data = ok_data(await run("block_person", {"email": "ana@example.com"}, mock_context))
        assert data == {"person": summary_of(ANA), "blocked": True, "already_absent": False}
        assert fake.posts == [("/v1/calendars/contacts/block", {"email": "ana@example.com"})]

    async def test_someone_removed_is_still_blocked(self, mock_context):
        fake = FakePeople(off=[ANA]).answering(mock_context)
        data = ok_data(await run("block_person", {"email": "ana@example.com"}, mock_context))
        assert data == {"person": {"email": "ana@example.com"}, "blocked": True, "already_absent": True}
        assert len(fake.posts) == 1

    async def test_someone_luma_does_not_know_is_not_blocked(self, mock_context):
        FakePeople().answering(mock_context)
        data = ok_data(await run("block_person", {"contact_id": "usr-nobody"}, mock_context))
        assert data == {"person": {"id": "usr-nobody"}, "blocked": False, "already_absent": True}

    async def test_a_contact_id_in_no_id_form_that_luma_does_not_know_is_an_error(self, mock_context):
        FakePeople().answering(mock_context)
        result = await run("block_person", {"contact_id": "12345"}, mock_context)
        failed(result, "'12345'", "usr-", "nothing was changed")

    async def test_lost_answer_is_confirmed_when_the_person_leaves_the_list(self, mock_context, no_sleep):
        fake = FakePeople([ANA], script=["drop"]).answering(mock_context)
        data = ok_data(await run("block_person", {"email": "ana@example.com"}, mock_context))
        assert data["blocked"] is True and len(fake.posts) == 1
        assert endpoints(mock_context) == [PEOPLE_LIST, BLOCK, PEOPLE_LIST]

    async def test_lost_answer_for_someone_not_listed_cannot_be_confirmed(self, mock_context, no_sleep):
        fake = FakePeople(off=[ANA], script=["drop"]).answering(mock_context)
        message = failed(await run("block_person", {"email": "ana@example.com"}, mock_context), "not confirmed")
        assert "Blocking again is harmless" in message and len(fake.posts) == 1


class TestRestorePerson:
    async def test_a_removed_person_is_restored_and_read_back(self, mock_context):
        fake = FakePeople(off=[ANA]).answering(mock_context)
        data = ok_data(await run("restore_person", {"email": "ana@example.com"}, mock_context))
        assert data == {"person": summary_of(ANA), "already_active": False}
        assert endpoints(mock_context) == [PEOPLE_LIST, RESTORE, PEOPLE_LIST]
        assert "ana@example.com" in fake.people

    async def test_someone_listed_is_already_active_and_nothing_is_sent(self, mock_context):
        fake = FakePeople([ANA]).answering(mock_context)
        data = ok_data(await run("restore_person", {"contact_id": "usr-ana"}, mock_context))
        assert data == {"person": summary_of(ANA), "already_active": True}
        assert fake.posts == []

    async def test_someone_luma_does_not_know_is_an_error(self, mock_context):
        FakePeople().answering(mock_context)
        failed(await run("restore_person", {"email": "ana@example.com"}, mock_context), "404", "import_people")

    async def test_lost_answer_is_confirmed_when_the_person_is_listed(self, mock_context, no_sleep):
        fake = FakePeople(off=[ANA], script=["drop"]).answering(mock_context)
        data = ok_data(await run("restore_person", {"email": "ana@example.com"}, mock_context))
        assert data == {"person": summary_of(ANA), "already_active": False}
        assert len(fake.posts) == 1 and endpoints(mock_context) == [PEOPLE_LIST, RESTORE, PEOPLE_LIST]

    async def test_lost_request_is_not_confirmed_and_never_resent(self, mock_context, no_sleep):
        fake = FakePeople(off=[ANA], script=["lost"]).answering(mock_context)
        failed(await run("restore_person", {"email": "ana@example.com"}, mock_context), "not confirmed")
        assert len(fake.posts) == 1

    async def test_a_failed_read_after_the_restore_still_reports_it(self, mock_context, no_sleep):
        down = luma_error(503, "down")
        mock_context.fetch.side_effect = [ok({"entries": [], "has_more": False}), ok({}), down, down, down]
        data = ok_data(await run("restore_person", {"email": "ana@example.com"}, mock_context))
        assert data == {"person": {"email": "ana@example.com"}, "already_active": False}
        assert methods(mock_context).count("POST") == 1
