"""The calendar's people end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.fakes import counts, failed, ok_data, run
from tests.support.live import posts

pytestmark = pytest.mark.e2e


class TestListPeople:
    async def test_tags_query_and_pagination(self, luma_emulator, live_context):
        vips = {p["id"] for p in luma_emulator.seed_contacts(130, tags=["VIP"])}
        luma_emulator.seed_contacts(5, tags=["Sponsor"], domain="sponsor.example")
        luma_emulator.seed_contacts(3)
        first = ok_data(await run("list_people", {"tags": ["vip", "Sponsor"], "limit": 110}, live_context))
        assert len(first["people"]) == 110 and first["has_more"] is True
        rest = ok_data(
            await run("list_people", {"tags": ["vip", "Sponsor"], "cursor": first["next_cursor"]}, live_context)
        )
        got = [p["id"] for p in first["people"] + rest["people"]]
        assert len(got) == len(set(got)) == 135 and vips <= set(got)
        assert rest["has_more"] is False and rest["next_cursor"] is None
        ids = {tag["name"]: tag["id"] for tag in luma_emulator.contact_tags()}
        tags_sent = [r.query_values("tags") for r in luma_emulator.requests_to("/v1/calendars/contacts/list")]
        assert tags_sent == [[ids["VIP"], ids["Sponsor"]]] * 3
        assert len(luma_emulator.requests_to("/v1/calendars/contact-tags/list")) == 2

    async def test_a_tag_the_calendar_lacks_is_an_error_not_an_empty_list(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(3, tags=["VIP"])
        message = failed(await run("list_people", {"tags": ["VIPs"]}, live_context), "'VIPs'")
        assert "'VIP' (tag-" in message
        assert luma_emulator.requests_to("/v1/calendars/contacts/list") == []

    async def test_search_and_sort(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(4, domain="acme.example")
        luma_emulator.seed_contacts(6)
        data = ok_data(
            await run(
                "list_people", {"query": "acme.example", "sort_column": "name", "sort_direction": "asc"}, live_context
            )
        )
        names = [p["name"] for p in data["people"]]
        assert len(names) == 4 and names == sorted(names, key=str.lower)
        assert all(p["email"].endswith("@acme.example") for p in data["people"])


def person(emulator, email):
    """The person as contacts/list shows them, or None."""
    return next((p for p in emulator.contacts() if p["email"].lower() == email.lower()), None)


class TestImportPeople:
    async def test_imports_new_people_with_tags_and_keeps_existing_names(self, luma_emulator, live_context):
        (old,) = luma_emulator.seed_contacts(1)
        luma_emulator.call("POST", "/v1/calendars/contact-tags/create", body={"name": "Speaker"})
        inputs = {
            "people": [
                {"email": old["email"], "name": "Another Name"},
                {"email": "ana@example.com", "name": "Ana Silva"},
            ],
            "tags": ["speaker"],
        }
        data = ok_data(await run("import_people", inputs, live_context))
        assert [(r["email"], r["status"]) for r in data["results"]] == [
            (old["email"], "already_person"),
            ("ana@example.com", "imported"),
        ]
        assert person(luma_emulator, old["email"])["name"] == old["name"]
        assert person(luma_emulator, "ana@example.com")["name"] == "Ana Silva"
        assert all(
            [t["name"] for t in person(luma_emulator, e)["tags"]] == ["Speaker"]
            for e in (old["email"], "ana@example.com")
        )
        again = ok_data(await run("import_people", inputs, live_context))
        assert counts(again, "imported", "already_person") == (0, 2)
        assert len(posts(luma_emulator, "/v1/calendars/contacts/import")) == 1

    async def test_a_large_import_in_batches_with_one_read_of_the_people(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(30)
        new = [f"new{i:03d}@example.com" for i in range(120)]
        data = ok_data(await run("import_people", {"people": new}, live_context))
        assert data["imported_count"] == 120
        assert [len(r.json["contacts"]) for r in posts(luma_emulator, "/v1/calendars/contacts/import")] == [50, 50, 20]
        reads = luma_emulator.requests_to("/v1/calendars/contacts/list")
        assert len(reads) == 1 and reads[0].query_values("query") == []
        assert len(luma_emulator.contacts()) == 150

    async def test_a_lost_answer_imports_exactly_once(self, luma_emulator, live_context):
        luma_emulator.inject("POST /v1/calendars/contacts/import", drop_after_work=True)
        data = ok_data(await run("import_people", {"people": ["ana@example.com", "ben@example.com"]}, live_context))
        assert data["imported_count"] == 2
        assert len(posts(luma_emulator, "/v1/calendars/contacts/import")) == 1
        assert len(luma_emulator.contacts()) == 2

    async def test_an_unknown_tag_sends_nothing(self, luma_emulator, live_context):
        failed(await run("import_people", {"people": ["ana@example.com"], "tags": ["Nope"]}, live_context), "'Nope'")
        assert posts(luma_emulator, "/v1/calendars/contacts/import") == []


class TestRemoveBlockRestore:
    async def test_remove_then_restore(self, luma_emulator, live_context):
        ana, ben = luma_emulator.seed_contacts(2)
        removed = ok_data(await run("remove_person", {"contact_id": ana["id"]}, live_context))
        assert removed == {"person": removed["person"], "already_absent": False}
        assert removed["person"]["email"] == ana["email"]
        assert [p["id"] for p in luma_emulator.contacts()] == [ben["id"]]
        again = ok_data(await run("remove_person", {"email": ana["email"]}, live_context))
        assert again["already_absent"] is True
        assert len(posts(luma_emulator, "/v1/calendars/contacts/remove")) == 1
        restored = ok_data(await run("restore_person", {"email": ana["email"]}, live_context))
        assert (restored["person"]["id"], restored["already_active"]) == (ana["id"], False)
        assert {p["id"] for p in luma_emulator.contacts()} == {ana["id"], ben["id"]}
        active = ok_data(await run("restore_person", {"email": ana["email"]}, live_context))
        assert active["already_active"] is True
        assert len(posts(luma_emulator, "/v1/calendars/contacts/restore")) == 1

    async def test_a_removed_person_is_not_turned_from_blocked_to_removed(self, luma_emulator, live_context, event):
        (ana,) = luma_emulator.seed_contacts(1)
        blocked = ok_data(await run("block_person", {"email": ana["email"]}, live_context))
        assert (blocked["blocked"], blocked["already_absent"]) == (True, False)
        removed = ok_data(await run("remove_person", {"email": ana["email"]}, live_context))
        assert removed["already_absent"] is True
        assert posts(luma_emulator, "/v1/calendars/contacts/remove") == []
        # Still blocked: Luma refuses them as a guest of the calendar's events.
        added = ok_data(await run("add_guests", {"event_api_id": event["id"], "guests": [ana["email"]]}, live_context))
        assert added["results"][0]["status"] == "failed"

    async def test_block_someone_removed_and_someone_unknown(self, luma_emulator, live_context):
        (ana,) = luma_emulator.seed_contacts(1)
        luma_emulator.call("POST", "/v1/calendars/contacts/remove", body={"email": ana["email"]})
        blocked = ok_data(await run("block_person", {"email": ana["email"]}, live_context))
        assert blocked == {"person": {"email": ana["email"]}, "blocked": True, "already_absent": True}
        # A removed person comes back by joining again; a blocked one does not.
        luma_emulator.import_contacts([{"email": ana["email"]}])
        assert person(luma_emulator, ana["email"]) is None
        unknown = ok_data(await run("block_person", {"email": "nobody@example.com"}, live_context))
        assert (unknown["blocked"], unknown["already_absent"]) == (False, True)

    async def test_a_lost_answer_to_a_block_is_confirmed_and_sent_once(self, luma_emulator, live_context):
        (ana,) = luma_emulator.seed_contacts(1)
        luma_emulator.inject("POST /v1/calendars/contacts/block", drop_after_work=True)
        data = ok_data(await run("block_person", {"email": ana["email"]}, live_context))
        assert data["blocked"] is True and person(luma_emulator, ana["email"]) is None
        assert len(posts(luma_emulator, "/v1/calendars/contacts/block")) == 1

    async def test_restore_of_someone_unknown_is_an_error(self, luma_emulator, live_context):
        failed(await run("restore_person", {"email": "nobody@example.com"}, live_context), "import_people")


async def test_import_people_merges_one_mailbox_given_in_both_domain_forms(luma_emulator, live_context):
    inputs = {"people": ["jürgen@bücher.example", {"email": "Jürgen@xn--bcher-kva.example", "name": "Jürgen"}]}
    data = ok_data(await run("import_people", inputs, live_context))
    assert [(r["email"], r["status"]) for r in data["results"]] == [("jürgen@bücher.example", "imported")]
    assert len(luma_emulator.contacts()) == 1
