"""The calendar's people end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.fakes import failed, ok_data, run

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
