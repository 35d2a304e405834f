"""The README's main command (the demo) and bin/invoke, run against the embedded local Luma."""

import json

import pytest

from tools import demo, invoke

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def local_luma_only(monkeypatch, tmp_path):
    monkeypatch.delenv("LUMA_API_KEY", raising=False)
    monkeypatch.setenv("LUMA_LOCAL_STATE", str(tmp_path / "state.json"))


async def test_demo_walks_the_five_workflows_and_the_trigger(capsys):
    assert await demo.main() == 0
    out = capsys.readouterr().out
    for heading in (
        "1. Automated event creation",
        "2. Guest list sync",
        "3. Bulk invitations",
        "4. Registration approval",
        "5. Ticket sales tracking",
        "6. Trigger: a new registration, reported once",
    ):
        assert heading in out
    assert "first sync: 4 added" in out and "second sync (nothing new): 4 already_guest" in out
    assert "update_guests_status (one call): 2 approved, 0 failed" in out
    assert "approved ana.ruiz@acme.example -> approved" in out
    assert "left for manual review: kim.lee@gmail.example" in out
    assert "6 'Early Bird' tickets issued (0 paid, 6 complimentary)" in out
    assert "Milestone reached: created code THANKS5" in out
    assert "Polled again since then: 0 records: each registration is reported once." in out
    assert "All five workflows and the trigger ran" in out
    assert "HTTP error encountered" not in out, "the SDK's stdout chatter stays out of the summary"


def test_invoke_lists_actions(capsys):
    assert invoke.main(["--list"]) == 0
    out = capsys.readouterr().out
    for action in ("get_self", "create_event", "add_guests", "list_people"):
        assert action in out
    assert "event_api_id*" in out


def test_invoke_runs_an_action_and_prints_json(capsys):
    assert invoke.main(["get_events", '{"limit": 2}']) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["events"]) == 2 and result["has_more"] is True and result["next_cursor"]


def test_invoke_reads_inputs_from_a_file(tmp_path, capsys):
    inputs = tmp_path / "event.json"
    inputs.write_text(json.dumps({"name": "From a file", "start_at": "2027-02-01T10:00:00Z", "timezone": "UTC"}))
    assert invoke.main(["create_event", f"@{inputs}"]) == 0
    assert json.loads(capsys.readouterr().out)["event"]["name"] == "From a file"


def test_invoke_reports_errors_as_json_with_exit_code(capsys):
    assert (
        invoke.main(["create_event", '{"name": "x", "start_at": "2027-01-01T10:00:00Z", "timezone": "Mars/Base"}']) == 1
    )
    assert "not an IANA time zone" in json.loads(capsys.readouterr().out)["error"]


def test_invoke_rejects_unknown_action_and_bad_json(capsys):
    assert invoke.main(["no_such_action"]) == 2
    assert invoke.main(["get_self", "{oops"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


async def test_bench_quick_makes_exactly_the_minimum_of_requests(monkeypatch, capsys):
    # bin/bench --quick as CI's smoke check: only request counts are asserted (they are deterministic); seconds and
    # memory are for people to read.
    monkeypatch.delenv("LUMA_API_BASE_URL", raising=False)
    from tools import bench

    settings = bench.parse_args(["--quick"])
    rows = await bench.run(settings)
    print(bench.table(rows, settings.rtt))
    assert [row.name for row in rows] == [job.name(bench.QUICK) for job in bench.JOBS]
    ran = [row for row in rows if row.pending is None]
    assert ran, "at least the jobs whose actions exist ran"
    for row in ran:
        assert row.ours.requests == row.bound.requests, f"{row.name}: not the minimum"
        assert row.ours.refused == 0, f"{row.name}: Luma refused the integration (429)"
        assert row.baseline is not None and row.baseline.requests >= row.ours.requests, row.note
    sizes, by_name = bench.QUICK, {row.name: row for row in rows}
    # The naive script pages at the server's default size (the local Luma's 50) and sends one request per item.
    assert by_name[f"list {sizes.people:,} people"].baseline.requests == sizes.people // 50
    assert by_name[f"list {sizes.people:,} people"].ours.requests == sizes.people // 100
    assert by_name[f"add {sizes.add:,} guests"].baseline.requests == sizes.add
    assert by_name[f"add {sizes.add:,} guests"].ours.requests == 1 + 2, "the pre-check, then two batches at once"
    out = capsys.readouterr().out
    assert all(f"| {row.name} |" in out for row in rows)
