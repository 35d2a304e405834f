"""Host actions (add_host, update_host, remove_host) with a mocked context.fetch (Autohive conventions)."""

import pytest

from tests.support.fakes import assert_input_error, assert_schema_error, endpoints, failed, lost, luma_error, methods
from tests.support.fakes import ok, ok_data, requests, run, unavailable
from tests.support.samples import EVENT

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]

OWNER = EVENT["hosts"][0]
COHOST = {
    "id": "usr-cohost",
    "email": "cohost@example.com",
    "name": "Co Host",
    "first_name": "Co",
    "last_name": "Host",
    "avatar_url": "https://images.lumacdn.com/avatars/co.png",
}
WITH_COHOST = dict(EVENT, hosts=[OWNER, COHOST])
GET_EVENT = ("GET", "/v1/events/get", [("event_id", "evt-abc123")], None)


# ---- add_host ----------------------------------------------------------------------------------------------


class TestAddHost:
    ADD = {"event_api_id": "evt-abc123", "email": "cohost@example.com"}

    async def test_adds_a_manager_shown_on_the_page_by_default(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(WITH_COHOST)]
        data = ok_data(await run("add_host", self.ADD, mock_context))
        assert data == {"host": COHOST, "already_host": False, "access_level_set": "manager", "is_visible_set": True}
        body = {"event_id": "evt-abc123", "email": "cohost@example.com", "access_level": "manager", "is_visible": True}
        assert requests(mock_context) == [GET_EVENT, ("POST", "/v1/events/hosts/add", [], body), GET_EVENT]

    async def test_every_input_is_sent(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), ok(WITH_COHOST)]
        inputs = dict(
            self.ADD, email=" CoHost@Example.COM ", name=" Co Host ", access_level="Check-In", is_visible=False
        )
        data = ok_data(await run("add_host", inputs, mock_context))
        assert (data["access_level_set"], data["is_visible_set"]) == ("check-in", False)
        assert requests(mock_context)[1][3] == {
            "event_id": "evt-abc123",
            "email": "CoHost@example.com",
            "name": "Co Host",
            "access_level": "check-in",
            "is_visible": False,
        }

    async def test_already_a_host_sends_nothing(self, mock_context):
        mock_context.fetch.return_value = ok(WITH_COHOST)
        inputs = dict(self.ADD, email="COHOST@example.com", access_level="none")
        assert ok_data(await run("add_host", inputs, mock_context)) == {"host": COHOST, "already_host": True}
        assert methods(mock_context) == ["GET"]

    async def test_read_back_failing_still_reports_the_added_host(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(EVENT), ok({}), unavailable(), unavailable(), unavailable()]
        data = ok_data(await run("add_host", dict(self.ADD, name="Co Host"), mock_context))
        assert data["host"] == {"email": "cohost@example.com", "name": "Co Host"} and data["already_host"] is False
        assert methods(mock_context).count("POST") == 1

    async def test_lost_answer_found_among_the_hosts_is_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(EVENT), lost(), ok(WITH_COHOST)]
        data = ok_data(await run("add_host", self.ADD, mock_context))
        assert data["host"] == COHOST and data["already_host"] is False
        assert methods(mock_context) == ["GET", "POST", "GET"]

    async def test_slow_add_seen_on_the_second_look(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(EVENT), TimeoutError(), ok(EVENT), ok(WITH_COHOST)]
        assert ok_data(await run("add_host", self.ADD, mock_context))["host"] == COHOST
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_lost_answer_not_landed_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(EVENT), lost(), ok(EVENT), ok(EVENT)]
        message = failed(await run("add_host", self.ADD, mock_context), "not confirmed", "get_events", "evt-abc123")
        assert "cohost@example.com" in message
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_unknown_event(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-x not found")
        failed(
            await run("add_host", dict(self.ADD, event_api_id="evt-x"), mock_context), "404", "Event evt-x not found"
        )
        assert methods(mock_context) == ["GET"]

    async def test_event_without_a_host_list_is_a_clear_error_not_a_guess(self, mock_context):
        mock_context.fetch.return_value = ok({key: value for key, value in EVENT.items() if key != "hosts"})
        failed(await run("add_host", self.ADD, mock_context), "no list of hosts")
        assert methods(mock_context) == ["GET"]

    async def test_luma_refusal_is_passed_on(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), luma_error(400, "This event has reached its host limit")]
        failed(await run("add_host", self.ADD, mock_context), "400", "host limit")
        assert methods(mock_context) == ["GET", "POST"]

    async def test_blank_name_is_refused(self, mock_context):
        assert_schema_error(await run("add_host", dict(self.ADD, name="  "), mock_context), mock_context)

    @pytest.mark.parametrize(
        "extra",
        [{"email": "ab"}, {"access_level": "owner"}, {"is_visible": "yes"}, {"event_api_id": ""}, {"x": 1}],
    )
    async def test_schema_rejects(self, mock_context, extra):
        assert_schema_error(await run("add_host", dict(self.ADD, **extra), mock_context), mock_context)

    @pytest.mark.parametrize("email", ["a@b", "not-an-email", "two@@example.com"])
    async def test_malformed_email_is_refused_before_sending(self, mock_context, email):
        result = await run("add_host", dict(self.ADD, email=email), mock_context)
        assert_input_error(result, mock_context, f"'{email}' in email is not a valid email address")


# ---- update_host -------------------------------------------------------------------------------------------


class TestUpdateHost:
    DEMOTE = {"event_api_id": "evt-abc123", "email": "cohost@example.com", "access_level": "check-in"}

    async def test_sends_only_what_changes(self, mock_context):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), ok({}), ok(WITH_COHOST)]
        data = ok_data(await run("update_host", self.DEMOTE, mock_context))
        assert data == {"host": COHOST, "access_level_set": "check-in"}
        body = {"event_id": "evt-abc123", "email": "cohost@example.com", "access_level": "check-in"}
        assert requests(mock_context) == [GET_EVENT, ("POST", "/v1/events/hosts/update", [], body), GET_EVENT]

    async def test_visibility_alone(self, mock_context):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), ok({}), ok(WITH_COHOST)]
        inputs = {"event_api_id": "evt-abc123", "email": "CoHost@example.com", "is_visible": False}
        assert ok_data(await run("update_host", inputs, mock_context)) == {"host": COHOST, "is_visible_set": False}
        assert requests(mock_context)[1][3] == {
            "event_id": "evt-abc123",
            "email": "CoHost@example.com",
            "is_visible": False,
        }

    async def test_nothing_to_change_is_refused_before_sending(self, mock_context):
        result = await run("update_host", {"event_api_id": "evt-abc123", "email": "cohost@example.com"}, mock_context)
        assert_input_error(result, mock_context, "Nothing to update", "access_level", "is_visible")

    async def test_not_a_host_is_refused_before_the_write(self, mock_context):
        mock_context.fetch.return_value = ok(EVENT)
        message = failed(await run("update_host", self.DEMOTE, mock_context), "not a host", "add_host")
        assert "owner@example.com" in message and "nothing was sent" in message
        assert methods(mock_context) == ["GET"]

    async def test_creators_access_level_refusal_is_said_plainly(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), luma_error(400, "Cannot change the access level of this host")]
        inputs = dict(self.DEMOTE, email="owner@example.com")
        message = failed(await run("update_host", inputs, mock_context), "created event evt-abc123", "creator")
        assert "cannot be removed" in message and "Nothing was changed" in message
        assert "Cannot change the access level of this host" in message
        assert methods(mock_context) == ["GET", "POST"]

    async def test_another_refusal_is_passed_on_as_luma_said_it(self, mock_context):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), luma_error(400, "Invalid access_level")]
        message = failed(await run("update_host", self.DEMOTE, mock_context), "400", "Invalid access_level")
        assert "creator" not in message

    @pytest.mark.parametrize("fault", [lost(), unavailable(), TimeoutError()])
    async def test_lost_answer_cannot_be_read_back_and_is_never_resent(self, mock_context, no_sleep, fault):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), fault]
        message = failed(await run("update_host", self.DEMOTE, mock_context), "not confirmed", "cannot be read back")
        assert "harmless" in message and "cohost@example.com" in message
        assert methods(mock_context) == ["GET", "POST"]

    async def test_read_back_failing_reports_the_host_seen_before(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), ok({}), unavailable(), unavailable(), unavailable()]
        assert ok_data(await run("update_host", self.DEMOTE, mock_context))["host"] == COHOST
        assert methods(mock_context).count("POST") == 1

    @pytest.mark.parametrize("extra", [{"access_level": "admin"}, {"name": "X"}, {"is_visible": 1}])
    async def test_schema_rejects(self, mock_context, extra):
        assert_schema_error(await run("update_host", dict(self.DEMOTE, **extra), mock_context), mock_context)


# ---- remove_host -------------------------------------------------------------------------------------------


class TestRemoveHost:
    REMOVE = {"event_api_id": "evt-abc123", "email": "cohost@example.com"}

    async def test_removes_and_says_so(self, mock_context):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), ok({})]
        data = ok_data(await run("remove_host", self.REMOVE, mock_context))
        assert data == {"email": "cohost@example.com", "event_api_id": "evt-abc123", "already_absent": False}
        body = {"event_id": "evt-abc123", "email": "cohost@example.com"}
        assert requests(mock_context) == [GET_EVENT, ("POST", "/v1/events/hosts/remove", [], body)]

    async def test_not_a_host_is_already_absent_and_nothing_is_sent(self, mock_context):
        mock_context.fetch.return_value = ok(EVENT)
        data = ok_data(await run("remove_host", self.REMOVE, mock_context))
        assert data == {"email": "cohost@example.com", "event_api_id": "evt-abc123", "already_absent": True}
        assert methods(mock_context) == ["GET"]

    async def test_removed_by_someone_else_in_between_is_already_absent(self, mock_context):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), luma_error(404, "Host cohost@example.com not found")]
        assert ok_data(await run("remove_host", self.REMOVE, mock_context))["already_absent"] is True
        assert methods(mock_context) == ["GET", "POST"]

    async def test_the_creator_cannot_be_removed(self, mock_context):
        mock_context.fetch.side_effect = [ok(EVENT), luma_error(400, "The event creator cannot be removed as a host")]
        inputs = dict(self.REMOVE, email="owner@example.com")
        failed(
            await run("remove_host", inputs, mock_context), "refused to remove host", "creator", "Nothing was changed"
        )
        assert methods(mock_context) == ["GET", "POST"]

    async def test_lost_answer_with_the_host_gone_is_done(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), lost(), ok(EVENT)]
        assert ok_data(await run("remove_host", self.REMOVE, mock_context))["already_absent"] is False
        assert endpoints(mock_context) == [
            ("GET", "/v1/events/get"),
            ("POST", "/v1/events/hosts/remove"),
            ("GET", "/v1/events/get"),
        ]

    async def test_lost_answer_with_the_host_still_there_is_unconfirmed_not_resent(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [ok(WITH_COHOST), unavailable(), ok(WITH_COHOST), ok(WITH_COHOST)]
        failed(await run("remove_host", self.REMOVE, mock_context), "not confirmed", "hosts for cohost@example.com")
        assert methods(mock_context) == ["GET", "POST", "GET", "GET"]

    async def test_lost_answer_and_a_failing_check_is_unconfirmed(self, mock_context, no_sleep):
        # Three attempts at the first look, three at the second after the settle delay: Luma stays down.
        mock_context.fetch.side_effect = [ok(WITH_COHOST), lost(), *[unavailable()] * 6]
        failed(await run("remove_host", self.REMOVE, mock_context), "not confirmed", "failed too")
        assert methods(mock_context).count("POST") == 1

    async def test_unknown_event_is_an_error_not_already_absent(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Event evt-x not found")
        failed(await run("remove_host", dict(self.REMOVE, event_api_id="evt-x"), mock_context), "404")

    @pytest.mark.parametrize("extra", [{"email": ""}, {"access_level": "none"}])
    async def test_schema_rejects(self, mock_context, extra):
        assert_schema_error(await run("remove_host", dict(self.REMOVE, **extra), mock_context), mock_context)

    async def test_malformed_email_is_refused_before_sending(self, mock_context):
        result = await run("remove_host", dict(self.REMOVE, email="nobody"), mock_context)
        assert_input_error(result, mock_context, "'nobody' in email is not a valid email address")
