"""bin/invoke against the embedded local Luma that remembers: calls chain, --reset, paths, one-line errors, --help."""

import json
import os
import subprocess  # nosec B404 - runs the project's own bin/invoke
from pathlib import Path

import pytest

from tools import invoke

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def local_state(monkeypatch, tmp_path):
    monkeypatch.delenv("LUMA_API_KEY", raising=False)
    monkeypatch.delenv("LUMA_API_BASE_URL", raising=False)
    monkeypatch.setenv("LUMA_LOCAL_STATE", str(tmp_path / "state.json"))
    return tmp_path / "state.json"


def answer(capsys):
    return json.loads(capsys.readouterr().out)


def test_calls_chain_like_calls_against_real_luma(capsys, local_state):
    assert invoke.main(["get_events", '{"limit": 1}']) == 0
    event_id = answer(capsys)["events"][0]["id"]
    assert local_state.exists()
    # A second process would read the same file: the id from the first call works in the next.
    assert invoke.main(["get_guests", json.dumps({"event_api_id": event_id, "limit": 2})]) == 0
    assert len(answer(capsys)["guests"]) == 2
    created = {"name": "Chained", "start_at": "2027-02-01T10:00:00Z", "timezone": "UTC"}
    assert invoke.main(["create_event", json.dumps(created)]) == 0
    new_id = answer(capsys)["event"]["id"]
    assert invoke.main(["get_events", json.dumps({"event_api_id": new_id})]) == 0
    assert answer(capsys)["event"]["name"] == "Chained"


def test_reset_starts_again_from_the_demo_data(capsys):
    assert (
        invoke.main(["create_event", '{"name": "Gone soon", "start_at": "2027-02-01T10:00Z", "timezone": "UTC"}']) == 0
    )
    new_id = answer(capsys)["event"]["id"]
    assert invoke.main(["--reset"]) == 0
    assert "demo data" in capsys.readouterr().err
    assert invoke.main(["get_events", json.dumps({"event_api_id": new_id})]) == 1
    assert "404" in answer(capsys)["error"]


def test_banner_says_where_the_call_went(capsys):
    assert invoke.main(["get_self"]) == 0
    assert "embedded local Luma (state kept in" in capsys.readouterr().err


def test_bad_path_and_bad_json_are_one_line(capsys, tmp_path):
    assert invoke.main(["get_self", f"@{tmp_path / 'missing.json'}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read inputs" in err and "Traceback" not in err
    (tmp_path / "broken.json").write_text("{")
    assert invoke.main(["get_self", f"@{tmp_path / 'broken.json'}"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_an_inputs_file_that_is_not_utf8_is_one_line(capsys, tmp_path):
    (tmp_path / "x.json").write_bytes(b"\xff\xfe")
    assert invoke.main(["get_events", f"@{tmp_path / 'x.json'}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not UTF-8" in err and "x.json" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{garbage", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "not a state file"),
        (b'{"format": "luma_local state", "version": 0, "state": {}}', "version"),
        (b'{"format": "luma_local state", "version": 1, "state": {}}', "not a state file"),
    ],
)
def test_an_unreadable_state_file_is_one_line_that_names_reset(capsys, local_state, content, why):
    local_state.write_bytes(content)
    assert invoke.main(["get_self"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(local_state) in err and why in err and "bin/invoke --reset" in err
    # --reset starts again from the demo data, as the line says.
    assert invoke.main(["--reset"]) == 0
    assert invoke.main(["get_self"]) == 0


def test_a_state_file_that_cannot_be_written_is_one_line(capsys, monkeypatch, tmp_path):
    (tmp_path / "plain").write_text("")
    monkeypatch.setenv("LUMA_LOCAL_STATE", str(tmp_path / "plain" / "state.json"))  # its folder is a file
    assert invoke.main(["get_self"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err and "LUMA_LOCAL_STATE" in err


def test_action_help_lists_its_inputs_with_descriptions(capsys):
    assert invoke.main(["get_guests", "--help"]) == 0
    out = capsys.readouterr().out
    assert "event_api_id (required)" in out and "starts with evt-" in out and "detail" in out


def test_file_paths_are_read_from_the_callers_folder(tmp_path, local_state):
    (tmp_path / "inputs.json").write_text('{"limit": 1}')
    env = {**os.environ, "LUMA_LOCAL_STATE": str(local_state)}
    done = subprocess.run(  # nosec B603 - fixed arguments
        [str(ROOT / "bin" / "invoke"), "get_events", "@inputs.json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["events"]) == 1


def test_a_running_local_luma_at_the_base_url_is_used_with_the_local_key(capsys, monkeypatch):
    from luma_local import DEFAULT_API_KEY, LumaEmulator

    emulator = LumaEmulator(api_key=DEFAULT_API_KEY)
    emulator.seed_demo()
    url = emulator.start_in_thread()
    try:
        monkeypatch.setenv("LUMA_API_BASE_URL", url)
        assert invoke.main(["get_self"]) == 0
        err = capsys.readouterr().err
        assert f"Luma-compatible server at {url}" in err and "real Luma" not in err
        assert emulator.requests_to("/v1/users/get-self")
    finally:
        emulator.stop_thread()
