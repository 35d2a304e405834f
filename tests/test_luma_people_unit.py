"""The calendar's people (list_people) with a mocked context.fetch."""

from urllib.parse import urlsplit

import pytest
from autohive_integrations_sdk.integration import ResultType

from luma import luma
from tests.support.fakes import endpoints, failed, luma_error
from tests.support.fakes import ok, ok_data, query_of, requests, run, sent_url
from tests.support.samples import contact

pytestmark = pytest.mark.unit

TAGS = [
    {"id": "tag-vip", "name": "VIP", "color": "purple"},
    {"id": "tag-sponsor", "name": "Sponsor", "color": "yellow"},
]
TAGS_LIST = ("GET", "/v1/calendars/contact-tags/list")
PEOPLE_LIST = ("GET", "/v1/calendars/contacts/list")


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
