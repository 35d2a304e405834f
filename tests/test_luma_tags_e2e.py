"""Tag actions of people and of events end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.fakes import failed, ok_data, run
from tests.support.live import apply_late, posts

pytestmark = pytest.mark.e2e

CONTACT_TAGS = "/v1/calendars/contact-tags"
EVENT_TAGS = "/v1/calendars/event-tags"


def tags_of_person(emulator, email: str) -> list[str]:
    (person,) = [c for c in emulator.contacts() if c["email"] == email]
    return [tag["name"] for tag in person["tags"]]


def tags_of_event(emulator, event_id: str) -> list[str]:
    events = emulator.call("GET", "/v1/calendars/events/list", query={"pagination_limit": "100"})["entries"]
    (event,) = [e for e in events if e["id"] == event_id]
    return [tag["name"] for tag in event["tags"]]


class TestListPersonTags:
    async def test_every_tag_at_once(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(2, tags=["VIP", "Speaker"])
        data = ok_data(await run("list_person_tags", {"detail": "full"}, live_context))
        assert data == {"tags": luma_emulator.contact_tags(), "has_more": False, "next_cursor": None}
        summary = ok_data(await run("list_person_tags", {}, live_context))["tags"]
        assert [set(tag) for tag in summary] == [{"id", "name"}] * 2


class TestListEventTags:
    async def test_event_tags_are_apart_from_person_tags(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(1, tags=["VIP"])
        luma_emulator.call("POST", f"{EVENT_TAGS}/create", body={"name": "Workshop", "color": "red"})
        data = ok_data(await run("list_event_tags", {"detail": "full"}, live_context))
        assert [(tag["name"], tag["color"]) for tag in data["tags"]] == [("Workshop", "red")]


class TestCreatePersonTag:
    async def test_creates_then_refuses_the_name_in_another_case(self, luma_emulator, live_context):
        tag = ok_data(await run("create_person_tag", {"name": "VIP", "color": "purple"}, live_context))["tag"]
        assert luma_emulator.contact_tags() == [tag]
        failed(await run("create_person_tag", {"name": "vip"}, live_context), "already exists", tag["id"])
        assert len(posts(luma_emulator, f"{CONTACT_TAGS}/create")) == 1

    async def test_lost_answer_creates_exactly_one(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(1, tags=["Speaker"])
        luma_emulator.inject(f"POST {CONTACT_TAGS}/create", drop_after_work=True)
        data = ok_data(await run("create_person_tag", {"name": "VIP"}, live_context))
        (made,) = [tag for tag in luma_emulator.contact_tags() if tag["name"] == "VIP"]
        assert data["tag"] == made  # the check found it, with the color Luma chose
        assert len(posts(luma_emulator, f"{CONTACT_TAGS}/create")) == 1


class TestCreateEventTag:
    async def test_lost_answer_creates_exactly_one(self, luma_emulator, live_context):
        luma_emulator.inject(f"POST {EVENT_TAGS}/create", drop_after_work=True)
        data = ok_data(await run("create_event_tag", {"name": "Workshop", "color": "green"}, live_context))
        assert luma_emulator.event_tags() == [data["tag"]] and data["tag"]["color"] == "green"
        assert luma_emulator.contact_tags() == []


class TestUpdatePersonTag:
    async def test_rename_shows_on_everyone_carrying_it(self, luma_emulator, live_context):
        (ana,) = luma_emulator.seed_contacts(1, tags=["VIP"])
        (vip,) = luma_emulator.contact_tags()
        inputs = {"tag_id": vip["id"], "name": "VIP 2026", "color": "green"}
        data = ok_data(await run("update_person_tag", inputs, live_context))
        assert data["tag"] == {"id": vip["id"], "name": "VIP 2026", "color": "green"}
        assert luma_emulator.contact_tags() == [data["tag"]]
        assert tags_of_person(luma_emulator, ana["email"]) == ["VIP 2026"]

    async def test_lost_answer_is_read_back(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(1, tags=["VIP"])
        (vip,) = luma_emulator.contact_tags()
        luma_emulator.inject(f"POST {CONTACT_TAGS}/update", drop_after_work=True)
        data = ok_data(await run("update_person_tag", {"tag_id": vip["id"], "color": "orange"}, live_context))
        assert luma_emulator.contact_tags() == [data["tag"]] and data["tag"]["color"] == "orange"

    async def test_another_tags_name_is_refused(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(1, tags=["VIP", "Speaker"])
        vip = next(tag for tag in luma_emulator.contact_tags() if tag["name"] == "VIP")
        failed(await run("update_person_tag", {"tag_id": vip["id"], "name": "SPEAKER"}, live_context), "exists")
        assert posts(luma_emulator, f"{CONTACT_TAGS}/update") == []


class TestUpdateEventTag:
    async def test_unknown_tag_id_lists_the_event_tags(self, luma_emulator, live_context):
        luma_emulator.call("POST", f"{EVENT_TAGS}/create", body={"name": "Workshop"})
        message = failed(await run("update_event_tag", {"tag_id": "tag-nope", "color": "red"}, live_context))
        assert "tag_id 'tag-nope' is not one of this calendar's event tags" in message and "'Workshop'" in message
        assert posts(luma_emulator, f"{EVENT_TAGS}/update") == []


class TestDeletePersonTag:
    async def test_deletes_it_from_everyone_then_is_already_absent(self, luma_emulator, live_context):
        (ana,) = luma_emulator.seed_contacts(1, tags=["VIP", "Speaker"])
        vip = next(tag for tag in luma_emulator.contact_tags() if tag["name"] == "VIP")
        first = ok_data(await run("delete_person_tag", {"tag_id": vip["id"]}, live_context))
        assert first == {"deleted": True, "tag_id": vip["id"], "already_absent": False}
        assert tags_of_person(luma_emulator, ana["email"]) == ["Speaker"]
        again = ok_data(await run("delete_person_tag", {"tag_id": vip["id"]}, live_context))
        assert again["already_absent"] is True

    async def test_lost_answer_finds_it_gone(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(1, tags=["VIP"])
        (vip,) = luma_emulator.contact_tags()
        luma_emulator.inject(f"POST {CONTACT_TAGS}/delete", drop_after_work=True)
        data = ok_data(await run("delete_person_tag", {"tag_id": vip["id"]}, live_context))
        assert data["already_absent"] is False and luma_emulator.contact_tags() == []


class TestDeleteEventTag:
    async def test_deletes_it_from_every_event(self, luma_emulator, live_context, event_id):
        tag = luma_emulator.call("POST", f"{EVENT_TAGS}/create", body={"name": "Workshop"})
        luma_emulator.call("POST", f"{EVENT_TAGS}/apply", body={"tag": tag["id"], "event_ids": [event_id]})
        ok_data(await run("delete_event_tag", {"tag_id": tag["id"]}, live_context))
        assert tags_of_event(luma_emulator, event_id) == [] and luma_emulator.event_tags() == []


class TestTagPeople:
    async def test_tags_people_on_the_calendar_and_skips_strangers(self, luma_emulator, live_context):
        ana, ben = luma_emulator.seed_contacts(2)
        luma_emulator.seed_contacts(1, tags=["VIP"])
        inputs = {"tag": "vip", "emails": [ana["email"].upper(), "stranger@example.com"], "user_ids": [ben["user_id"]]}
        data = ok_data(await run("tag_people", inputs, live_context))
        vip = next(tag for tag in luma_emulator.contact_tags() if tag["name"] == "VIP")
        assert data == {
            "tag": {"id": vip["id"], "name": "VIP"},
            "applied_count": 2,
            "skipped_count": 1,
            "confirmed_by_check": False,
            "unconfirmed": [],
        }
        assert tags_of_person(luma_emulator, ana["email"]) == tags_of_person(luma_emulator, ben["email"]) == ["VIP"]
        # Tagging again changes nothing; the stranger is still not a person of the calendar.
        again = ok_data(await run("tag_people", inputs, live_context))
        assert (again["applied_count"], again["skipped_count"]) == (2, 1)
        assert len(luma_emulator.contacts()) == 3

    async def test_a_misspelt_tag_sends_nothing(self, luma_emulator, live_context):
        (ana,) = luma_emulator.seed_contacts(1, tags=["Volunteer"])
        message = failed(await run("tag_people", {"tag": "Volunter", "emails": [ana["email"]]}, live_context))
        assert "Did you mean 'Volunteer'?" in message
        assert posts(luma_emulator, f"{CONTACT_TAGS}/apply") == []

    async def test_lost_answer_is_confirmed_from_the_tags_people(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(150, tags=["VIP"])  # older: the check pages past them to find the three
        people = luma_emulator.seed_contacts(3)
        luma_emulator.inject(f"POST {CONTACT_TAGS}/apply", drop_after_work=True)
        inputs = {"tag": "VIP", "emails": [p["email"] for p in people]}
        data = ok_data(await run("tag_people", inputs, live_context))
        assert (data["applied_count"], data["skipped_count"], data["confirmed_by_check"]) == (3, 0, True)
        assert all(tags_of_person(luma_emulator, p["email"]) == ["VIP"] for p in people)
        assert len(posts(luma_emulator, f"{CONTACT_TAGS}/apply")) == 1
        assert len(luma_emulator.requests_to("/v1/calendars/contacts/list")) == 2

    async def test_lost_answer_with_a_stranger_reports_them_unconfirmed(self, luma_emulator, live_context):
        (ana,) = luma_emulator.seed_contacts(1)
        luma_emulator.seed_contacts(1, tags=["VIP"])
        luma_emulator.inject(f"POST {CONTACT_TAGS}/apply", drop_after_work=True)
        inputs = {"tag": "VIP", "emails": [ana["email"], "stranger@example.com"]}
        data = ok_data(await run("tag_people", inputs, live_context))
        assert data["applied_count"] == 1 and data["skipped_count"] is None
        assert data["unconfirmed"] == ["stranger@example.com"]
        assert len(posts(luma_emulator, f"{CONTACT_TAGS}/apply")) == 1

    async def test_applied_late_is_seen_by_the_second_look(self, luma_emulator, live_context, monkeypatch):
        (ana,) = luma_emulator.seed_contacts(1)
        luma_emulator.seed_contacts(1, tags=["VIP"])
        apply_late(monkeypatch, luma_emulator, live_context, f"{CONTACT_TAGS}/apply")
        data = ok_data(await run("tag_people", {"tag": "VIP", "user_ids": [ana["user_id"]]}, live_context))
        assert (data["applied_count"], data["confirmed_by_check"]) == (1, True)
        assert len(luma_emulator.requests_to("/v1/calendars/contacts/list")) == 2

    async def test_not_applied_is_unconfirmed_and_not_resent(self, luma_emulator, live_context):
        (ana,) = luma_emulator.seed_contacts(1)
        luma_emulator.seed_contacts(1, tags=["VIP"])
        luma_emulator.inject(f"POST {CONTACT_TAGS}/apply", status=503)
        failed(
            await run("tag_people", {"tag": "VIP", "emails": [ana["email"]]}, live_context),
            "not confirmed",
            "list_people",
        )
        assert tags_of_person(luma_emulator, ana["email"]) == []
        assert len(posts(luma_emulator, f"{CONTACT_TAGS}/apply")) == 1


class TestUntagPeople:
    async def test_takes_the_tag_off(self, luma_emulator, live_context):
        ana, ben = luma_emulator.seed_contacts(2, tags=["VIP", "Speaker"])
        inputs = {"tag": "VIP", "emails": [ana["email"], "stranger@example.com"]}
        data = ok_data(await run("untag_people", inputs, live_context))
        assert (data["removed_count"], data["skipped_count"]) == (1, 1)
        assert tags_of_person(luma_emulator, ana["email"]) == ["Speaker"]
        assert tags_of_person(luma_emulator, ben["email"]) == ["VIP", "Speaker"]

    async def test_lost_answer_is_confirmed_from_the_tags_people(self, luma_emulator, live_context):
        ana, _ = luma_emulator.seed_contacts(2, tags=["VIP"])
        luma_emulator.inject(f"POST {CONTACT_TAGS}/unapply", drop_after_work=True)
        data = ok_data(await run("untag_people", {"tag": "VIP", "user_ids": [ana["user_id"]]}, live_context))
        assert (data["removed_count"], data["confirmed_by_check"], data["unconfirmed"]) == (1, True, [])
        assert tags_of_person(luma_emulator, ana["email"]) == []
        assert len(posts(luma_emulator, f"{CONTACT_TAGS}/unapply")) == 1


class TestTagEvents:
    async def test_tags_the_calendars_events_and_skips_others(self, luma_emulator, live_context):
        first, second = luma_emulator.seed_events(2)
        luma_emulator.call("POST", f"{EVENT_TAGS}/create", body={"name": "Workshop"})
        inputs = {"tag": "workshop", "event_api_ids": [first["id"], second["id"], first["id"], "evt-elsewhere"]}
        data = ok_data(await run("tag_events", inputs, live_context))
        assert (data["applied_count"], data["skipped_count"], data["tag"]["name"]) == (2, 1, "Workshop")
        (sent,) = posts(luma_emulator, f"{EVENT_TAGS}/apply")
        assert sent.json["event_ids"] == [first["id"], second["id"], "evt-elsewhere"]
        assert tags_of_event(luma_emulator, first["id"]) == tags_of_event(luma_emulator, second["id"]) == ["Workshop"]

    async def test_lost_answer_is_confirmed_from_the_calendars_events(self, luma_emulator, live_context, event_id):
        luma_emulator.seed_events(120)  # the check reads the latest first
        tag = luma_emulator.call("POST", f"{EVENT_TAGS}/create", body={"name": "Workshop"})
        luma_emulator.inject(f"POST {EVENT_TAGS}/apply", drop_after_work=True)
        data = ok_data(await run("tag_events", {"tag": tag["id"], "event_api_ids": [event_id]}, live_context))
        assert (data["applied_count"], data["skipped_count"], data["confirmed_by_check"]) == (1, 0, True)
        assert tags_of_event(luma_emulator, event_id) == ["Workshop"]
        assert len(posts(luma_emulator, f"{EVENT_TAGS}/apply")) == 1


class TestUntagEvents:
    async def test_lost_answer_is_confirmed_from_the_calendars_events(self, luma_emulator, live_context, event_id):
        tag = luma_emulator.call("POST", f"{EVENT_TAGS}/create", body={"name": "Workshop"})
        luma_emulator.call("POST", f"{EVENT_TAGS}/apply", body={"tag": tag["id"], "event_ids": [event_id]})
        luma_emulator.inject(f"POST {EVENT_TAGS}/unapply", drop_after_work=True)
        data = ok_data(await run("untag_events", {"tag": "Workshop", "event_api_ids": [event_id]}, live_context))
        assert (data["removed_count"], data["skipped_count"], data["confirmed_by_check"]) == (1, 0, True)
        assert tags_of_event(luma_emulator, event_id) == []
        assert len(posts(luma_emulator, f"{EVENT_TAGS}/unapply")) == 1


class TestTagNameGivenAsId:
    """A tag's name in tag_id: Luma knows no such id, so a delete answered already_absent while the tag stayed."""

    @pytest.mark.parametrize(
        ("action", "path", "inputs"),
        [
            ("delete_person_tag", CONTACT_TAGS, {"tag_id": "vip"}),
            ("update_person_tag", CONTACT_TAGS, {"tag_id": "VIP", "color": "red"}),
            ("delete_event_tag", EVENT_TAGS, {"tag_id": "VIP"}),
        ],
    )
    async def test_names_the_tag_and_changes_nothing(self, luma_emulator, live_context, action, path, inputs):
        tag = luma_emulator.call("POST", f"{path}/create", body={"name": "VIP", "color": "blue"})
        kind = "person tag" if path == CONTACT_TAGS else "event tag"
        message = failed(await run(action, inputs, live_context))
        assert message == f"'{inputs['tag_id']}' is the name of {kind} {tag['id']}; {action} takes its id."
        assert [r.path for r in luma_emulator.requests if r.method == "POST"] == []

    async def test_a_tag_id_given_as_tag_id_still_deletes(self, luma_emulator, live_context):
        tag = luma_emulator.call("POST", f"{CONTACT_TAGS}/create", body={"name": "VIP"})
        data = ok_data(await run("delete_person_tag", {"tag_id": tag["id"]}, live_context))
        assert data == {"deleted": True, "tag_id": tag["id"], "already_absent": False}
        assert luma_emulator.contact_tags() == []


@pytest.mark.parametrize("name", ["\u3164", "\u2800", "\u034f\u17b5"])
async def test_a_tag_name_that_shows_nothing_is_refused(luma_emulator, live_context, name):
    failed(await run("create_event_tag", {"name": name}, live_context), "only invisible characters")
    assert luma_emulator.event_tags() == [] and luma_emulator.requests == []
