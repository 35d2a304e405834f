"""create_image_upload_url with a mocked context.fetch (Autohive conventions)."""

import pytest

from tests.support.fakes import assert_schema_error, failed, lost, luma_error, methods, ok, ok_data, requests, run
from tests.support.fakes import unavailable

pytestmark = pytest.mark.unit

URLS = {
    "upload_url": "https://upload.lumacdn.com/uploads/abc.png?signature=s1",
    "file_url": "https://images.lumacdn.com/uploads/abc.png",
}


class TestCreateImageUploadUrl:
    async def test_png(self, mock_context):
        mock_context.fetch.return_value = ok(URLS)
        data = ok_data(await run("create_image_upload_url", {"content_type": "image/png"}, mock_context))
        assert data == {**URLS, "content_type": "image/png"}
        assert requests(mock_context) == [("POST", "/v1/images/create-upload-url", [], {"content_type": "image/png"})]

    async def test_jpeg_by_default(self, mock_context):
        mock_context.fetch.return_value = ok(URLS)
        data = ok_data(await run("create_image_upload_url", {}, mock_context))
        assert data["content_type"] == "image/jpeg"
        assert requests(mock_context)[0][3] == {"content_type": "image/jpeg"}

    async def test_content_type_in_another_case(self, mock_context):
        mock_context.fetch.return_value = ok(URLS)
        data = ok_data(await run("create_image_upload_url", {"content_type": "Image/PNG"}, mock_context))
        assert data["content_type"] == "image/png"

    @pytest.mark.parametrize("content_type", ["image/gif", "png", "", None, "image/webp"])
    async def test_other_formats_are_refused_before_sending(self, mock_context, content_type):
        result = await run("create_image_upload_url", {"content_type": content_type}, mock_context)
        assert_schema_error(result, mock_context)

    @pytest.mark.parametrize("fault", [lost(), unavailable(), TimeoutError(), ok("<html>ok</html>")])
    async def test_lost_answer_says_run_again_and_sends_once(self, mock_context, no_sleep, fault):
        mock_context.fetch.side_effect = [fault]
        message = failed(await run("create_image_upload_url", {}, mock_context), "not confirmed", "run")
        assert "create_image_upload_url again" in message and "changes nothing" in message
        assert methods(mock_context) == ["POST"]

    @pytest.mark.parametrize("answer", [{}, {"upload_url": "https://u"}, {"file_url": "https://f"}, {"upload_url": ""}])
    async def test_answer_without_both_urls_is_a_clear_error(self, mock_context, answer):
        mock_context.fetch.return_value = ok(answer)
        failed(await run("create_image_upload_url", {}, mock_context), "no upload_url and file_url", "again")
        assert methods(mock_context) == ["POST"]

    async def test_luma_refusal(self, mock_context):
        mock_context.fetch.side_effect = luma_error(401, "Invalid API key")
        failed(await run("create_image_upload_url", {}, mock_context), "401", "Invalid API key")
