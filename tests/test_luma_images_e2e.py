"""create_image_upload_url end to end: the SDK's real ExecutionContext over HTTP against the local Luma, and the
file_url it gives used as an event cover."""

import pytest

from tests.support.fakes import failed, ok_data, run
from tests.support.live import posts

pytestmark = pytest.mark.e2e


class TestCreateImageUploadUrl:
    @pytest.mark.parametrize(("content_type", "extension"), [("image/png", ".png"), ("image/jpeg", ".jpg")])
    async def test_urls_for_each_format(self, luma_emulator, live_context, content_type, extension):
        data = ok_data(await run("create_image_upload_url", {"content_type": content_type}, live_context))
        assert data["content_type"] == content_type
        assert data["file_url"].startswith("https://images.lumacdn.com/") and data["file_url"].endswith(extension)
        assert data["upload_url"].startswith("https://")
        (sent,) = posts(luma_emulator, "/v1/images/create-upload-url")
        assert sent.json == {"content_type": content_type}

    async def test_file_url_is_accepted_as_an_event_cover(self, luma_emulator, live_context, event):
        file_url = ok_data(await run("create_image_upload_url", {}, live_context))["file_url"]
        updated = ok_data(await run("update_event", {"event_api_id": event["id"], "cover_url": file_url}, live_context))
        assert updated["event"]["cover_url"] == file_url == luma_emulator.event(event["id"])["cover_url"]

    async def test_lost_answer_asks_for_a_new_url_and_the_next_run_works(self, luma_emulator, live_context):
        luma_emulator.inject("POST /v1/images/create-upload-url", drop_after_work=True)
        failed(await run("create_image_upload_url", {}, live_context), "not confirmed", "again")
        assert len(posts(luma_emulator, "/v1/images/create-upload-url")) == 1
        assert ok_data(await run("create_image_upload_url", {}, live_context))["file_url"]
