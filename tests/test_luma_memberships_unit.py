"""Membership actions (list_membership_tiers, add_member, update_member_status) with a mocked context.fetch."""

import pytest

from tests.support.fakes import assert_input_error, assert_schema_error, failed, lost, luma_error, methods, ok, ok_data
from tests.support.fakes import page, requests, run, unavailable
from tests.support.samples import FREE_TIER, PAID_TIER, contact, member

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]

TIERS = "/v1/memberships/tiers/list"
CONTACTS = "/v1/calendars/contacts/list"
ADD = "/v1/memberships/members/add"
UPDATE = "/v1/memberships/members/update-status"


# ---- list_membership_tiers ---------------------------------------------------------------------------------


class TestListMembershipTiers:
    async def test_summary_drops_lumas_stripe_ids(self, mock_context):
        mock_context.fetch.return_value = page([FREE_TIER, PAID_TIER])
        data = ok_data(await run("list_membership_tiers", {}, mock_context))
        assert data == {
            "membership_tiers": [
                {"id": "cmt-free", "name": "Community", "access_info": {"type": "free", "require_approval": False}},
                {
                    "id": "cmt-supporter",
                    "name": "Supporter",
                    "description": "Backs the community every month",
                    "access_info": {
                        "type": "payment-recurring",
                        "currency": "usd",
                        "amount_monthly": 1000,
                        "require_approval": False,
                    },
                },
            ],
            "has_more": False,
            "next_cursor": None,
        }
        assert requests(mock_context) == [("GET", TIERS, [("pagination_limit", "100")], None)]

    async def test_full_is_lumas_whole_tier(self, mock_context):
        mock_context.fetch.return_value = page([PAID_TIER])
        data = ok_data(await run("list_membership_tiers", {"detail": "full"}, mock_context))
        assert data["membership_tiers"] == [PAID_TIER]

    async def test_continues_from_a_cursor_and_hands_one_back(self, mock_context):
        mock_context.fetch.return_value = page([FREE_TIER], "c2")
        data = ok_data(await run("list_membership_tiers", {"limit": 1, "cursor": "c1"}, mock_context))
        assert (data["has_more"], data["next_cursor"]) == (True, "c2")
        assert requests(mock_context)[0][2] == [("pagination_limit", "1"), ("pagination_cursor", "c1")]


# ---- add_member --------------------------------------------------------------------------------------------


class TestAddMember:
    FREE = {"email": "ana@example.com", "membership_tier_id": "cmt-free"}

    async def test_free_tier_checks_the_tier_and_the_person_then_adds(self, mock_context):
        mock_context.fetch.side_effect = [
            page([PAID_TIER, FREE_TIER]),
            page([contact(1)]),
            ok({"membership_id": "mem-1", "status": "approved"}),
        ]
        data = ok_data(await run("add_member", self.FREE, mock_context))
        assert data == {
            "membership": {
                "membership_id": "mem-1",
                "status": "approved",
                "email": "ana@example.com",
                "membership_tier_id": "cmt-free",
                "already_member": False,
            }
        }
        assert requests(mock_context) == [
            ("GET", TIERS, [("pagination_limit", "100")], None),
            ("GET", CONTACTS, [("query", "ana@example.com"), ("pagination_limit", "100")], None),
            ("POST", ADD, [], {"email": "ana@example.com", "membership_tier_id": "cmt-free"}),
        ]

    async def test_email_is_tidied_before_anything_is_sent(self, mock_context):
        mock_context.fetch.side_effect = [page([FREE_TIER]), page([]), ok({"membership_id": "m", "status": "pending"})]
        inputs = dict(self.FREE, email="  Ana@Example.COM ")
        assert ok_data(await run("add_member", inputs, mock_context))["membership"]["email"] == "Ana@example.com"
        assert requests(mock_context)[2][3]["email"] == "Ana@example.com"

    async def test_paid_tier_without_skip_payment_is_refused_before_sending(self, mock_context):
        mock_context.fetch.return_value = page([PAID_TIER])
        inputs = {"email": "ana@example.com", "membership_tier_id": "cmt-supporter"}
        message = failed(await run("add_member", inputs, mock_context), "Supporter", "paid", "skip_payment true")
        assert "1000 USD minor units a month" in message
        assert methods(mock_context) == ["GET"]

    async def test_paid_tier_with_skip_payment_is_sent_without_reading_the_tier(self, mock_context):
        mock_context.fetch.side_effect = [page([]), ok({"membership_id": "mem-2", "status": "approved"})]
        inputs = {"email": "ana@example.com", "membership_tier_id": "cmt-supporter", "skip_payment": True}
        ok_data(await run("add_member", inputs, mock_context))
        assert [r[1] for r in requests(mock_context)] == [CONTACTS, ADD]
        assert requests(mock_context)[1][3] == {
            "email": "ana@example.com",
            "membership_tier_id": "cmt-supporter",
            "skip_payment": True,
        }

    async def test_skip_payment_false_is_checked_like_absent(self, mock_context):
        mock_context.fetch.return_value = page([PAID_TIER])
        inputs = {"email": "ana@example.com", "membership_tier_id": "cmt-supporter", "skip_payment": False}
        failed(await run("add_member", inputs, mock_context), "paid")
        assert methods(mock_context) == ["GET"]

    async def test_unknown_tier_is_refused_before_sending(self, mock_context):
        mock_context.fetch.return_value = page([FREE_TIER])
        inputs = {"email": "ana@example.com", "membership_tier_id": "cmt-nope"}
        failed(await run("add_member", inputs, mock_context), "cmt-nope", "not a membership tier", "list_membership")
        assert methods(mock_context) == ["GET"]

    async def test_unknown_tier_found_by_luma_is_said_in_its_terms(self, mock_context):
        mock_context.fetch.side_effect = [page([]), luma_error(404, "Membership tier cmt-nope not found")]
        inputs = {"email": "ana@example.com", "membership_tier_id": "cmt-nope", "skip_payment": True}
        failed(await run("add_member", inputs, mock_context), "not a membership tier", "Luma said: Membership tier")

    @pytest.mark.parametrize("status", ["approved", "pending", "approved-pending-payment"])
    async def test_someone_already_in_the_tier_is_left_as_they_are(self, mock_context, status):
        mock_context.fetch.side_effect = [
            page([FREE_TIER]),
            page([dict(member(1, "cmt-free", status), email="ana@example.com")]),
        ]
        data = ok_data(await run("add_member", self.FREE, mock_context))
        assert data["membership"] == {
            "membership_id": None,
            "status": status,
            "email": "ana@example.com",
            "membership_tier_id": "cmt-free",
            "already_member": True,
        }
        assert methods(mock_context) == ["GET", "GET"]

    async def test_a_declined_member_or_one_of_another_tier_is_added(self, mock_context):
        declined = dict(member(1, "cmt-free", "declined"), email="ana@example.com")
        mock_context.fetch.side_effect = [
            page([FREE_TIER]),
            page([declined]),
            ok({"membership_id": "m", "status": "approved"}),
        ]
        assert ok_data(await run("add_member", self.FREE, mock_context))["membership"]["already_member"] is False
        assert methods(mock_context) == ["GET", "GET", "POST"]

    async def test_only_the_exact_email_counts_among_the_search_results(self, mock_context):
        lookalike = dict(member(1, "cmt-free"), email="joana@example.com")
        mock_context.fetch.side_effect = [
            page([FREE_TIER]),
            page([lookalike]),
            ok({"membership_id": "m", "status": "approved"}),
        ]
        assert ok_data(await run("add_member", self.FREE, mock_context))["membership"]["already_member"] is False

    async def test_lost_answer_is_confirmed_from_the_persons_membership(self, mock_context, no_sleep):
        joined = dict(member(1, "cmt-free", "pending"), email="ana@example.com")
        mock_context.fetch.side_effect = [page([FREE_TIER]), page([]), lost(), page([joined])]
        data = ok_data(await run("add_member", self.FREE, mock_context))
        assert data["membership"]["membership_id"] is None and data["membership"]["status"] == "pending"
        assert methods(mock_context) == ["GET", "GET", "POST", "GET"]

    async def test_lost_answer_not_seen_is_not_confirmed_and_never_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [page([FREE_TIER]), page([]), unavailable(), page([]), page([])]
        message = failed(await run("add_member", self.FREE, mock_context), "not confirmed", "list_people")
        assert "ana@example.com" in message
        assert methods(mock_context).count("POST") == 1

    async def test_lost_answer_with_the_person_still_declined_is_not_confirmed(self, mock_context, no_sleep):
        declined = dict(member(1, "cmt-free", "declined"), email="ana@example.com")
        mock_context.fetch.side_effect = [
            page([FREE_TIER]),
            page([declined]),
            lost(),
            page([declined]),
            page([declined]),
        ]
        failed(await run("add_member", self.FREE, mock_context), "not confirmed")

    async def test_lumas_refusal_keeps_its_words(self, mock_context):
        mock_context.fetch.side_effect = [
            page([]),
            luma_error(400, "skip_payment is required for a paid membership tier"),
        ]
        inputs = {"email": "ana@example.com", "membership_tier_id": "cmt-x", "skip_payment": True}
        failed(await run("add_member", inputs, mock_context), "400", "skip_payment is required")

    @pytest.mark.parametrize("email", ["not-an-email", "ana@", "a b@example.com"])
    async def test_malformed_email_is_refused(self, mock_context, email):
        result = await run("add_member", {"email": email, "membership_tier_id": "cmt-free"}, mock_context)
        assert_input_error(result, mock_context, email)

    async def test_tier_is_required(self, mock_context):
        assert_schema_error(await run("add_member", {"email": "ana@example.com"}, mock_context), mock_context)


# ---- update_member_status ----------------------------------------------------------------------------------


class TestUpdateMemberStatus:
    async def test_by_email(self, mock_context):
        mock_context.fetch.return_value = ok({})
        data = ok_data(
            await run("update_member_status", {"user_id": "Ana@Example.com", "status": "approved"}, mock_context)
        )
        assert data == {"membership": {"user_id": "Ana@example.com", "status": "approved"}}
        assert requests(mock_context) == [("POST", UPDATE, [], {"user_id": "Ana@example.com", "status": "approved"})]

    async def test_by_user_id(self, mock_context):
        mock_context.fetch.return_value = ok({})
        data = ok_data(await run("update_member_status", {"user_id": " usr-1 ", "status": "declined"}, mock_context))
        assert data == {"membership": {"user_id": "usr-1", "status": "declined"}}
        assert requests(mock_context)[0][3] == {"user_id": "usr-1", "status": "declined"}

    async def test_someone_without_a_membership_is_a_clear_error(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Member usr-9 not found")
        result = await run("update_member_status", {"user_id": "usr-9", "status": "approved"}, mock_context)
        message = failed(result, "usr-9 holds no membership", "add_member", "Luma said: Member usr-9 not found")
        assert "evt-" not in message

    async def test_lost_answer_read_back_by_email(self, mock_context, no_sleep):
        ana = dict(member(1, "cmt-free", "declined"), email="ana@example.com")
        mock_context.fetch.side_effect = [lost(), page([ana])]
        data = ok_data(
            await run("update_member_status", {"user_id": "ana@example.com", "status": "declined"}, mock_context)
        )
        assert data["membership"]["status"] == "declined"
        assert requests(mock_context)[1][1:3] == (CONTACTS, [("query", "ana@example.com"), ("pagination_limit", "100")])

    async def test_lost_answer_read_back_by_user_id_among_members_with_that_status(self, mock_context, no_sleep):
        others = [member(n, "cmt-free") for n in range(2, 5)]
        mock_context.fetch.side_effect = [unavailable(), page(others, "c1"), page([member(1, "cmt-free")])]
        data = ok_data(await run("update_member_status", {"user_id": "usr-1", "status": "approved"}, mock_context))
        assert data["membership"] == {"user_id": "usr-1", "status": "approved"}
        assert requests(mock_context)[1][2] == [("membership_status", "approved"), ("pagination_limit", "100")]
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_approved_while_the_payment_is_collected_counts_as_approved(self, mock_context, no_sleep):
        ana = dict(member(1, "cmt-paid", "approved-pending-payment"), email="ana@example.com")
        mock_context.fetch.side_effect = [lost(), page([ana])]
        data = ok_data(
            await run("update_member_status", {"user_id": "ana@example.com", "status": "approved"}, mock_context)
        )
        assert data["membership"]["status"] == "approved-pending-payment"

    async def test_lost_answer_not_seen_is_not_confirmed_and_never_resent(self, mock_context, no_sleep):
        pending = dict(member(1, "cmt-free", "pending"), email="ana@example.com")
        mock_context.fetch.side_effect = [lost(), page([pending]), page([pending])]
        result = await run("update_member_status", {"user_id": "ana@example.com", "status": "approved"}, mock_context)
        failed(result, "not confirmed", "list_people")
        assert methods(mock_context) == ["POST", "GET", "GET"]

    @pytest.mark.parametrize("status", ["pending", "approved-pending-payment", "APPROVE"])
    async def test_only_approved_or_declined(self, mock_context, status):
        result = await run("update_member_status", {"user_id": "usr-1", "status": status}, mock_context)
        assert_schema_error(result, mock_context)

    async def test_malformed_email_is_refused(self, mock_context):
        result = await run("update_member_status", {"user_id": "ana@", "status": "approved"}, mock_context)
        assert_input_error(result, mock_context, "user_id")


class TestAddMemberAnswerWithoutStatus:
    INPUTS = {"email": "ana@example.com", "membership_tier_id": "cmt-free", "skip_payment": True}

    async def test_the_status_is_read_from_the_person(self, mock_context):
        joined = dict(member(1, "cmt-free", "pending"), email="ana@example.com")
        mock_context.fetch.side_effect = [page([]), ok({}), page([joined])]
        data = ok_data(await run("add_member", self.INPUTS, mock_context))
        assert (data["membership"]["status"], data["membership"]["membership_id"]) == ("pending", None)

    async def test_nothing_to_show_says_check_before_adding_again(self, mock_context):
        mock_context.fetch.side_effect = [page([]), ok({}), page([])]
        failed(
            await run("add_member", self.INPUTS, mock_context), "accepted", "list_people", "before adding them again"
        )
        assert methods(mock_context).count("POST") == 1
