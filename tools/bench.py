"""bin/bench: what the integration's jobs cost a user, against the local Luma with a real round trip and Luma's rate
limit on, beside the straightforward script a user would write instead, all measured in one run.

    bin/bench                      # full sizes, 150 ms round trip (several minutes: the baseline waits out lockouts)
    bin/bench --quick              # small sizes, 50 ms round trip: a smoke check (CI runs it)
    bin/bench --latency 0.3 --jitter 0.1 --jobs add,invite --no-baseline

For each job it prints one row of a table:

* requests: what the integration sent; minimum: the fewest the API allows for the same job (`Bound`); ratio.
* seconds: wall clock of the job through the SDK, as Autohive runs it (calls one after another, each continuing
  where the last stopped). limit: the least time the API allows:
      limit = max(depth x rtt, 60 s x floor((minimum - 1) / rate_limit) + rtt)
  depth is the number of round trips that must follow one another (a page needs the previous page's cursor; a
  batch needs the pre-check's answer); rtt the configured round trip (plus half the jitter); rate_limit Luma's 200
  requests a minute. A fresh sliding window lets the first rate_limit requests go at once, so the rate only binds
  beyond them: request number rate_limit + k cannot arrive before 60 s after request k.
* 429s: refusals Luma sent the integration (always 0); rate use: for jobs beyond one window, the densest arrival
  schedule the limit allows over the observed one, 60 s x floor((requests - 1) / rate_limit) / (last arrival -
  first arrival).
* peak MiB: the most memory the integration held at once during the job (tracemalloc), in a separate untimed
  run of the same job without latency on an identical copy of its data.
* the baseline (tools/bench_naive.py): requests, seconds and 429s of the `requests` script, and how many times
  faster the integration was.

Each job runs against a local Luma of its own (tools/bench_emulator.py) in another process: a fresh rate-limit
window, and the client's time and memory measured without the server's. The baselines run after the
integration's jobs, in parallel with each other (each on its own Luma and key window, as if alone), so the
integration's timings are not disturbed and the run ends in minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import math
import os
import re
import sys
import threading
import time
import tracemalloc
import types
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import ResultType

import helpers
from luma import luma
from luma_local import LumaEmulator
from luma_local.clock import iso
from tools import bench_emulator as remote
from tools import bench_naive as naive
from tools.bench_emulator import RemoteEmulator

API_KEY = "luma-bench-key"  # the local Luma's own key, not a secret
RATE_LIMIT = helpers.LUMA_RATE_LIMIT_PER_MINUTE
WINDOW = helpers.RATE_WINDOW_SECONDS
PAGE = helpers.LUMA_MAX_PAGE_SIZE


@dataclass(frozen=True)
class Sizes:
    events: int
    guests: int
    people: int
    add: int
    invite: int
    approve: int  # pending guests a rule selects (beside OTHER_PENDING it does not)
    summary: int  # guests of the summarised event
    poll_events: int  # upcoming events a trigger watches
    poll_guests: int  # guests of each


FULL = Sizes(
    events=2000,
    guests=5000,
    people=10000,
    add=1000,
    invite=1000,
    approve=300,
    summary=2000,
    poll_events=50,
    poll_guests=60,
)
QUICK = Sizes(
    events=250, guests=300, people=400, add=120, invite=120, approve=30, summary=250, poll_events=5, poll_guests=30
)
# Pending guests the approval rule leaves out (another email domain); listed before the ones it selects, so reading
# the pending list again for a continuation must read past them.
OTHER_PENDING = 20
# Registrations made between the trigger's last poll and this one, one in each of that many events.
NEW_REGISTRATIONS = 5
# Jobs of a fraction of a second (add, invite, a poll) are timed this many times, and the median is reported.
TIMED_RUNS = 3
FULL_LATENCY, QUICK_LATENCY = 0.15, 0.05
# How often the baseline's progress is printed while it runs (it waits out whole-minute lockouts).
PROGRESS_SECONDS = 15.0


class BenchError(RuntimeError):
    """A job did not do its work: its numbers would mean nothing."""


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---- bounds ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """The fewest requests the API allows for a job, how many of them must follow one another, and the pauses the
    job makes on purpose (the demo waits for a registration to show, as the platform's poll interval would)."""

    requests: int
    depth: int
    pauses: float = 0.0


def pages(n: int) -> int:
    """Requests to read a list of n items at Luma's largest page (an empty list is still one request)."""
    return max(1, math.ceil(n / PAGE))


def limit_seconds(bound: Bound, rtt: float) -> float:
    rate = WINDOW * ((bound.requests - 1) // RATE_LIMIT) + rtt if bound.requests > RATE_LIMIT else 0.0
    return max(bound.depth * rtt + bound.pauses, rate)


# ---- measuring ---------------------------------------------------------------------------------------------


@dataclass
class Measure:
    requests: int = 0
    seconds: float = 0.0
    refused: int = 0  # 429s
    rate_use: float | None = None
    peak_mib: float | None = None


@dataclass
class Row:
    name: str
    bound: Bound | None = None
    ours: Measure | None = None
    baseline: Measure | None = None
    pending: str | None = None
    note: str = ""


class Ours:
    """The integration's side: actions through the SDK, as Autohive runs them, against one local Luma."""

    def __init__(self, context: ExecutionContext, emulator: RemoteEmulator):
        self.context = context
        self.emulator = emulator

    async def call(self, action: str, inputs: dict[str, Any]) -> dict[str, Any]:
        # The SDK prints the body of every non-2xx answer; a failure is reported below anyway.
        with contextlib.redirect_stdout(io.StringIO()):
            result = await luma.execute_action(action, inputs, self.context)
        if result.type != ResultType.ACTION:
            raise BenchError(f"{action} failed: {getattr(result.result, 'message', result.result)}")
        return result.result.data

    async def listing(self, action: str, inputs: dict[str, Any], key: str, limit: int, keep_ids: bool) -> int:
        """Calls the action until the list ends, each call continuing from the last cursor; checks every item came
        exactly once (when keep_ids: the ids themselves would be counted in the memory run)."""
        seen: set[str] = set()
        count, cursor = 0, None
        while True:
            data = await self.call(action, {**inputs, "limit": limit, **({"cursor": cursor} if cursor else {})})
            count += len(data[key])
            if keep_ids:
                seen.update(item["id"] for item in data[key])
            cursor = data["next_cursor"]
            del data
            if cursor is None:
                break
        if keep_ids and len(seen) != count:
            raise BenchError(f"{action}: {count} items but {len(seen)} distinct")
        return count


@dataclass
class Job:
    """One line of the table. `seed` runs in the job's local Luma and returns its targets: "timed" and "memory" (an
    identical copy, so a write job can run twice). `ours` does the job through the integration; `baseline` is the
    naive script (tools/bench_naive.py); `bound` gives the minimum from the sizes and what `ours` returned."""

    key: str
    name: Callable[[Sizes], str]
    seed: Callable[..., dict[str, Any]]
    ours: Callable[[Ours, dict[str, Any], Sizes, bool], Awaitable[Any]]
    baseline: Callable[[naive.NaiveLuma, dict[str, Any]], int] | None
    bound: Callable[[Sizes, Any], Bound]
    options: dict[str, Any] = field(default_factory=dict)
    needs: str | None = None  # an action or trigger another branch is adding


# ---- the jobs: seeding runs in the job's local Luma ---------------------------------------------------------


def seed_events(emulator: LumaEmulator, sizes: Sizes) -> dict[str, Any]:
    emulator.seed_events(sizes.events)
    return {"timed": {}, "memory": {}}


def seed_guests(emulator: LumaEmulator, sizes: Sizes) -> dict[str, Any]:
    event_id = emulator.seed_events(1)[0]["id"]
    emulator.seed_guests(event_id, sizes.guests)
    return {"timed": {"event_id": event_id}, "memory": {"event_id": event_id}}


def seed_people(emulator: LumaEmulator, sizes: Sizes) -> dict[str, Any]:
    emulator.seed_contacts(sizes.people)
    return {"timed": {}, "memory": {}}


def seed_new_guests(emulator: LumaEmulator, sizes: Sizes, count: str) -> dict[str, Any]:
    n = getattr(sizes, count)
    memory, *timed = (e["id"] for e in emulator.seed_events(1 + TIMED_RUNS, max_capacity=100_000))
    emails = [f"bench{i:05d}@example.com" for i in range(n)]
    return {
        "timed": [{"event_id": event_id, "emails": emails} for event_id in timed],
        "memory": {"event_id": memory, "emails": emails},
    }


def seed_demo(emulator: LumaEmulator, sizes: Sizes) -> dict[str, Any]:
    emulator.seed_demo()
    return {"timed": {}, "memory": {}}


def seed_pending(emulator: LumaEmulator, sizes: Sizes) -> dict[str, Any]:
    targets = {}
    for run in ("timed", "memory"):
        event_id = emulator.seed_events(1, max_capacity=100_000)[0]["id"]
        emulator.seed_guests(event_id, 50)  # going already: the status filter keeps them out of the read
        emulator.seed_guests(event_id, OTHER_PENDING, approval_status="pending_approval", domain="gmail.example")
        chosen = emulator.seed_guests(
            event_id, sizes.approve, approval_status="pending_approval", domain="acme.example"
        )
        targets[run] = {"event_id": event_id, "chosen": [guest["id"] for guest in chosen]}
    return targets


def seed_summary(emulator: LumaEmulator, sizes: Sizes) -> dict[str, Any]:
    event_id = emulator.seed_events(1, max_capacity=100_000)[0]["id"]
    paid = emulator.call(
        "POST",
        "/v1/events/ticket-types/create",
        body={"event_id": event_id, "name": "Supporter", "type": "paid", "cents": 2500, "currency": "usd"},
    )
    emulator.seed_guests(event_id, sizes.summary - sizes.summary // 5)
    for n in range(sizes.summary // 5):  # a fifth bought the paid ticket through the event page
        emulator.register_guest(event_id, f"supporter{n:05d}@example.com", f"Supporter {n}", ticket_type_id=paid["id"])
    return {"timed": {"event_id": event_id}, "memory": {"event_id": event_id}}


def seed_polled(emulator: LumaEmulator, sizes: Sizes) -> dict[str, Any]:
    """Upcoming events with guests registered days ago; then, after the last poll a minute ago, a few
    registrations."""
    events = emulator.seed_events(sizes.poll_events)
    emulator.clock.advance(days=-3)
    for event in events:
        emulator.seed_guests(event["id"], sizes.poll_guests)
    emulator.clock.advance(days=3)
    last_poll = iso(emulator.clock.now() - timedelta(minutes=1))
    # Registered half a minute ago: a poll reports what Luma shows a few seconds before it starts.
    emulator.clock.advance(seconds=-30)
    for n, event in enumerate(events[:NEW_REGISTRATIONS]):
        emulator.register_guest(event["id"], f"newcomer{n}@example.com", f"Newcomer {n}")
    emulator.clock.advance(seconds=30)
    target = {"last_poll": last_poll, "new": NEW_REGISTRATIONS}
    return {"timed": [target] * TIMED_RUNS, "memory": target}


# ---- the jobs: the integration's side ----------------------------------------------------------------------


async def list_events(ours: Ours, target: dict[str, Any], sizes: Sizes, timed: bool) -> int:
    got = await ours.listing("get_events", {}, "events", 200, keep_ids=timed)
    if got != sizes.events:
        raise BenchError(f"get_events listed {got} of {sizes.events} events")
    return got


async def list_guests(ours: Ours, target: dict[str, Any], sizes: Sizes, timed: bool) -> int:
    got = await ours.listing("get_guests", {"event_api_id": target["event_id"]}, "guests", 1000, keep_ids=timed)
    if got != sizes.guests:
        raise BenchError(f"get_guests listed {got} of {sizes.guests} guests")
    return got


async def list_people(ours: Ours, target: dict[str, Any], sizes: Sizes, timed: bool) -> int:
    got = await ours.listing("list_people", {}, "people", 1000, keep_ids=timed)
    if got != sizes.people:
        raise BenchError(f"list_people listed {got} of {sizes.people} people")
    return got


def guest_writer(action: str, done: str) -> Callable[[Ours, dict[str, Any], Sizes, bool], Awaitable[int]]:
    async def write(ours: Ours, target: dict[str, Any], sizes: Sizes, timed: bool) -> int:
        inputs = {"event_api_id": target["event_id"], "guests": target["emails"]}
        data = await ours.call(action, {**inputs, "send_email": False} if action == "add_guests" else inputs)
        if data[f"{done}_count"] != len(target["emails"]):
            counts = {k: v for k, v in data.items() if k.endswith("_count")}
            raise BenchError(f"{action}: {counts} for {len(target['emails'])} emails")
        return len(target["emails"])

    return write


RETRY_IN = re.compile(r"Retry in (\d+) seconds")


@dataclass
class Continued:
    """A job done in several calls: how many guests each later call still had to do."""

    remaining: list[int] = field(default_factory=list)


async def approve(ours: Ours, target: dict[str, Any], sizes: Sizes, timed: bool) -> Continued:
    """Approves the pending guests of one email domain, calling again with the continuation (after the wait the
    answer names) until it is done, as a workflow would."""
    inputs = {
        "event_api_id": target["event_id"],
        "status": "approved",
        "from_status": ["pending_approval"],
        "email_domains": ["acme.example"],
        "send_email": False,
    }
    done = Continued()
    changed: list[str] = []
    data = await ours.call("update_guests_status", inputs)
    while True:
        changed += [row["id"] for row in data["results"] if row["status"] == "changed"]
        if data["continuation"] is None:
            break
        done.remaining.append(data["remaining_count"])
        wait = RETRY_IN.search(data["stopped_because"] or "")
        if wait:
            await asyncio.sleep(int(wait.group(1)))
        token = data["continuation"]
        data = await ours.call(
            "update_guests_status", {"event_api_id": target["event_id"], "status": "approved", "continuation": token}
        )
    if sorted(changed) != sorted(target["chosen"]):
        raise BenchError(
            f"update_guests_status changed {len(changed)} guests ({len(set(changed))} distinct) of "
            f"{len(target['chosen'])}"
        )
    return done


def approve_bound(sizes: Sizes, done: Continued) -> Bound:
    # The pending list (the other domain's guests first), one change each, and for each later call a read of the
    # pending list again up to the last guest it still has to change (the action checks each guest again).
    reads = pages(OTHER_PENDING + sizes.approve) + sum(pages(OTHER_PENDING + left) for left in done.remaining)
    return Bound(reads + sizes.approve, reads + 1 + len(done.remaining))


async def summary(ours: Ours, target: dict[str, Any], sizes: Sizes, timed: bool) -> None:
    data = (await ours.call("get_event_summary", {"event_api_id": target["event_id"]}))["summary"]
    if data["guests_read"] != sizes.summary or not data["complete"]:
        raise BenchError(f"get_event_summary read {data['guests_read']} of {sizes.summary} guests")


async def poll(ours: Ours, target: dict[str, Any], sizes: Sizes, timed: bool) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        records = await luma.execute_polling_trigger("new_guest", {}, target["last_poll"], ours.context)
    if len(records) != target["new"]:
        raise BenchError(f"new_guest reported {len(records)} registrations, not {target['new']}")


@dataclass
class DemoCalls:
    """The demo's calls as it made them, for its minimum: (action, inputs, answer); polls as ("poll <trigger>",
    inputs, records)."""

    calls: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)
    paused: float = 0.0  # seconds the demo slept on purpose


async def demo(ours: Ours, target: dict[str, Any], sizes: Sizes, timed: bool) -> DemoCalls:
    from tools import demo as tools_demo
    from tools.demo import Demo
    from tools.session import Session

    record = DemoCalls()

    class Recording(Session):
        async def run(self, action: str, inputs: dict[str, Any]) -> Any:
            result = await super().run(action, inputs)
            if result.type == ResultType.ACTION:
                record.calls.append((action, inputs, result.result.data))
            return result

        async def poll(self, trigger: str, inputs: dict[str, Any], since: str | None) -> list[dict[str, Any]]:
            records = await super().poll(trigger, inputs, since)
            record.calls.append((f"poll {trigger}", inputs, records))
            return records

    async def pause(seconds: float) -> None:
        record.paused += seconds
        if timed:  # the memory run does not wait: its polls may then see less, which is no concern of memory's
            await asyncio.sleep(seconds)

    # Any emulator object tells the demo it is not real Luma (so it invites tagged people, not example.com ones).
    session = Recording(ours.context, "the bench's local Luma", emulator=ours.emulator)  # type: ignore[arg-type]
    # The demo's own pauses (it waits for a registration to show, as a poll interval would) are counted, not judged.
    tools_demo.asyncio = types.SimpleNamespace(sleep=pause)  # type: ignore[assignment]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            await Demo(session).run()
    finally:
        tools_demo.asyncio = asyncio  # type: ignore[assignment]
    return record


def call_minimum(action: str, inputs: dict[str, Any], data: Any) -> Bound:
    """The fewest requests (and round trips in a row) one call of the demo needs for what the action answers. The
    demo's guest lists are under one page."""
    if action in ("create_event", "create_ticket_type", "create_coupon", "update_guest_status"):
        # create_event: Luma's answer holds only the id, and the action returns the whole event. create_ticket_type:
        # ticket types carry no creation time, so the event's types are read before, to tell a new one after a lost
        # answer. create_coupon: codes are unique, so one look before sending makes a repeated call answer the
        # coupon already there, and proves a lost answer's coupon. update_guest_status: Luma answers {} and the
        # action returns the guest.
        return Bound(2, 2)
    if action in ("add_guests", "send_invites"):
        sent = sum(1 for r in data["results"] if r["status"] != "already_guest")
        # The pre-check is one request (the list's one page, or one look-up for one email), then the batches.
        batches = math.ceil(sent / helpers.LUMA_MAX_PAGE_SIZE)
        return Bound(1 + batches, 1 + (1 if batches else 0))
    if action == "update_guests_status":
        # The from_status list's one page, then one request per guest changed, all at once.
        changed = data["changed_count"] + data["unconfirmed_count"] + data["failed_count"]
        return Bound(1 + changed, 1 + (1 if changed else 0))
    if action == "get_event_summary":
        # The event and its ticket types beside the pages of the guest list.
        read = pages(data["summary"]["guests_read"])
        return Bound(2 + read, read)
    if action == "poll new_guest":
        # The one event's guests, newest first; the event's name is read only when there is something to report.
        return Bound(1 + (1 if data else 0), 1 + (1 if data else 0))
    extra = 1 if action == "list_people" and inputs.get("tags") else 0  # tag names to Luma's tag ids first
    listed = next((value for value in data.values() if isinstance(value, list)), None)
    if listed is not None and "has_more" in data:
        return Bound(extra + pages(len(listed)), extra + pages(len(listed)))
    return Bound(1, 1)  # get_self


def demo_bound(sizes: Sizes, record: DemoCalls) -> Bound:
    bounds = [call_minimum(*call) for call in record.calls]
    return Bound(sum(b.requests for b in bounds), sum(b.depth for b in bounds), record.paused)


def guest_write_job(key: str, label: str, action: str, done: str, baseline: Callable[..., int]) -> Job:
    """add_guests or send_invites of `sizes.<key>` new emails to an event with no guests."""
    return Job(
        key,
        lambda s: label.format(getattr(s, key)),
        partial(seed_new_guests, count=key),
        guest_writer(action, done),
        baseline,
        # The pre-check reads the (empty) guest list's one page; then batches of 100, all at once.
        lambda s, _: Bound(1 + math.ceil(getattr(s, key) / PAGE), 2),
    )


JOBS: list[Job] = [
    Job(
        "events",
        lambda s: f"list {s.events:,} events",
        seed_events,
        list_events,
        naive.list_events,
        lambda s, _: Bound(pages(s.events), pages(s.events)),
    ),
    Job(
        "guests",
        lambda s: f"list {s.guests:,} guests",
        seed_guests,
        list_guests,
        naive.list_guests,
        lambda s, _: Bound(pages(s.guests), pages(s.guests)),
    ),
    Job(
        "people",
        lambda s: f"list {s.people:,} people",
        seed_people,
        list_people,
        naive.list_people,
        lambda s, _: Bound(pages(s.people), pages(s.people)),
    ),
    guest_write_job("add", "add {:,} guests", "add_guests", "added", naive.add_guests),
    guest_write_job("invite", "invite {:,} emails", "send_invites", "invited", naive.send_invites),
    Job(
        "approve",
        lambda s: f"approve {s.approve:,} guests by rule",
        seed_pending,
        approve,
        naive.approve,
        approve_bound,
        needs="update_guests_status",
    ),
    Job(
        "summary",
        lambda s: f"summary of an event with {s.summary:,} guests",
        seed_summary,
        summary,
        naive.summary,
        # The event and its ticket types, beside the guest list's pages (which follow one another).
        lambda s, _: Bound(2 + pages(s.summary), pages(s.summary)),
        needs="get_event_summary",
    ),
    Job(
        "poll",
        lambda s: f"trigger poll over {s.poll_events} upcoming events",
        seed_polled,
        poll,
        naive.poll,
        # The upcoming events (one page), then each event's newest guests (one small page), all at once.
        lambda s, _: Bound(1 + s.poll_events, 2),
        needs="new_guest",
    ),
    Job(
        "demo",
        lambda s: "the demo end to end",
        seed_demo,
        demo,
        naive.demo,
        demo_bound,
    ),
]


# ---- running -----------------------------------------------------------------------------------------------


@dataclass
class Settings:
    sizes: Sizes
    latency: float
    jitter: float
    baseline: bool = True
    jobs: list[str] | None = None

    @property
    def rtt(self) -> float:
        return self.latency + self.jitter / 2


def emulator_options(job: Job) -> dict[str, Any]:
    # Each job writes into fresh events; the weekly invite quota would stop the invite job and its memory run.
    return {"api_key": API_KEY, "invite_quota_per_week": 1_000_000, **job.options}


@contextlib.contextmanager
def pointed_at(base_url: str) -> Any:
    saved = {name: os.environ.get(name) for name in (helpers.LUMA_API_BASE_ENV, helpers.RATE_LIMIT_ENV)}
    os.environ[helpers.LUMA_API_BASE_ENV] = base_url
    os.environ.pop(helpers.RATE_LIMIT_ENV, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def rate_use(log: list[tuple[str, str, int | None, float | None]]) -> float | None:
    arrivals = sorted(at for _, _, _, at in log if at is not None)
    if len(arrivals) <= RATE_LIMIT:
        return None
    densest = WINDOW * ((len(arrivals) - 1) // RATE_LIMIT)
    return densest / (arrivals[-1] - arrivals[0])


async def run_ours(job: Job, settings: Settings) -> tuple[Measure, Any, RemoteEmulator, dict[str, Any]]:
    """The job through the integration: a memory run without latency, then the timed run. Returns the emulator
    (seeded, for the baseline's copy of the data) and its targets."""
    emulator = RemoteEmulator(**emulator_options(job))
    targets = emulator.run(job.seed, settings.sizes)
    auth = {"auth_type": "Custom", "credentials": {"api_key": API_KEY}}
    with pointed_at(emulator.base_url):
        async with ExecutionContext(auth=auth) as context:
            ours = Ours(context, emulator)
            # Memory does not depend on the rate limit: the memory run goes without it (and without latency).
            emulator.run(remote.set_rate_limit, 10**6)
            helpers.reset_rate_limiters()
            helpers.limiter_for(API_KEY).limit = 10**6
            tracemalloc.start()
            try:
                await job.ours(ours, targets["memory"], settings.sizes, False)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            emulator.run(remote.set_rate_limit, RATE_LIMIT)
            emulator.run(remote.set_latency, settings.latency, settings.jitter)
            timed = targets["timed"] if isinstance(targets["timed"], list) else [targets["timed"]]
            runs = []
            for target in timed:
                # Each timed run starts with a fresh key window on both sides, as a first run of the day would.
                helpers.reset_rate_limiters()
                emulator.run(remote.reset_rate_limit)
                start = emulator.run(remote.request_count)
                gc.collect()  # earlier runs' garbage is not this run's to collect
                started = time.perf_counter()
                outcome = await job.ours(ours, target, settings.sizes, True)
                seconds = time.perf_counter() - started
                runs.append((seconds, emulator.run(remote.request_log, start), outcome))
    if len({len(log) for _, log, _ in runs}) > 1:
        raise BenchError(f"{job.key}: the timed runs made {[len(log) for _, log, _ in runs]} requests")
    # The median run: a job of a fraction of a second is timed several times, as the machine's noise is a good
    # part of its time.
    seconds, log, outcome = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    measure = Measure(
        requests=len(log),
        seconds=seconds,
        refused=sum(1 for _, _, status, _ in log if status == 429),
        rate_use=rate_use(log),
        peak_mib=peak / 2**20,
    )
    return measure, outcome, emulator, targets


def run_baselines(jobs: list[tuple[Job, Row]], settings: Settings) -> None:
    """Every job's naive script at once, each against its own local Luma seeded like the integration's."""
    runs = []
    for job, row in jobs:
        if job.baseline is None:
            continue
        emulator = RemoteEmulator(**emulator_options(job), latency=settings.latency, latency_jitter=settings.jitter)
        targets = emulator.run(job.seed, settings.sizes)
        client = naive.NaiveLuma(emulator.base_url, API_KEY, outside=emulator)
        target = targets["timed"][0] if isinstance(targets["timed"], list) else targets["timed"]
        runs.append((job, row, emulator, client, target))
    if not runs:
        return
    say(f"baseline: {len(runs)} naive scripts in parallel, each on its own local Luma")
    results: dict[str, Measure | BaseException] = {}

    def work(job: Job, emulator: RemoteEmulator, client: naive.NaiveLuma, target: dict[str, Any]) -> None:
        try:
            start = emulator.run(remote.request_count)
            started = time.perf_counter()
            job.baseline(client, target)  # type: ignore[misc]
            seconds = time.perf_counter() - started
            log = emulator.run(remote.request_log, start)
            results[job.key] = Measure(
                requests=len(log), seconds=seconds, refused=sum(1 for _, _, s, _ in log if s == 429)
            )
        except BaseException as error:  # reported in the table
            results[job.key] = error

    threads = [
        threading.Thread(target=work, args=(job, emulator, client, target), name=f"naive-{job.key}", daemon=True)
        for job, _, emulator, client, target in runs
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            deadline = time.monotonic() + PROGRESS_SECONDS
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            running = [
                f"{job.key} {client.items} items, {client.requests} req, {client.lockouts} 429s"
                for (job, _, _, client, _), thread in zip(runs, threads)
                if thread.is_alive()
            ]
            if running:
                say(f"baseline {time.perf_counter() - started:5.0f} s: " + "; ".join(running))
    finally:
        for _, _, emulator, client, _ in runs:
            client.stop.set()
            client.close()
            emulator.close()
    for job, row, *_ in runs:
        outcome = results.get(job.key)
        if isinstance(outcome, Measure):
            row.baseline = outcome
        else:
            row.note = f"baseline failed: {outcome!r}"


async def run(settings: Settings) -> list[Row]:
    rows: list[tuple[Job, Row]] = []
    for job in JOBS:
        if settings.jobs is not None and job.key not in settings.jobs:
            continue
        row = Row(job.name(settings.sizes))
        rows.append((job, row))
        if job.needs is not None and job.needs not in {**luma.config.actions, **luma.config.polling_triggers}:
            row.pending = f"pending: needs {job.needs}"
            continue
        say(f"ours: {row.name} ...")
        measure, outcome, emulator, _ = await run_ours(job, settings)
        emulator.close()
        row.ours, row.bound = measure, job.bound(settings.sizes, outcome)
        say(
            f"ours: {row.name}: {measure.requests} requests (minimum {row.bound.requests}), {measure.seconds:.2f} s "
            f"(limit {limit_seconds(row.bound, settings.rtt):.2f} s), peak {measure.peak_mib:.1f} MiB"
        )
    if settings.baseline:
        run_baselines([(job, row) for job, row in rows if row.pending is None], settings)
    return [row for _, row in rows]


# ---- the table ---------------------------------------------------------------------------------------------

COLUMNS = (
    "job",
    "requests",
    "minimum",
    "ratio",
    "seconds",
    "limit s",
    "x limit",
    "429s",
    "rate use",
    "peak MiB",
    "naive requests",
    "naive s",
    "naive 429s",
    "faster",
)


def cells(row: Row, rtt: float) -> list[str]:
    if row.pending is not None or row.ours is None or row.bound is None:
        return [row.name, row.pending or "not run"] + [""] * (len(COLUMNS) - 2)
    ours, bound = row.ours, row.bound
    limit = limit_seconds(bound, rtt)
    out = [
        row.name,
        f"{ours.requests:,}",
        f"{bound.requests:,}",
        f"{ours.requests / bound.requests:.2f}",
        f"{ours.seconds:.2f}",
        f"{limit:.2f}",
        f"{ours.seconds / limit:.2f}" if limit else "",
        str(ours.refused),
        f"{ours.rate_use:.0%}" if ours.rate_use is not None else "",
        f"{ours.peak_mib:.1f}" if ours.peak_mib is not None else "",
    ]
    if row.baseline is not None:
        base = row.baseline
        out += [f"{base.requests:,}", f"{base.seconds:.1f}", str(base.refused), f"{base.seconds / ours.seconds:.1f}x"]
    else:
        out += [row.note or "", "", "", ""]
    return out


def table(rows: list[Row], rtt: float) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(cells(row, rtt)) + " |" for row in rows]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="bin/bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and a 50 ms round trip (a smoke check)")
    parser.add_argument("--latency", type=float, help="round trip in seconds (default 0.15; 0.05 with --quick)")
    parser.add_argument("--jitter", type=float, default=0.0, help="up to this many seconds more per request")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive script")
    parser.add_argument("--jobs", help="comma-separated: " + ",".join(job.key for job in JOBS))
    args = parser.parse_args(argv)
    latency = args.latency if args.latency is not None else (QUICK_LATENCY if args.quick else FULL_LATENCY)
    return Settings(
        sizes=QUICK if args.quick else FULL,
        latency=latency,
        jitter=args.jitter,
        baseline=not args.no_baseline,
        jobs=args.jobs.split(",") if args.jobs else None,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    started = time.perf_counter()
    rows = asyncio.run(run(settings))
    print(table(rows, settings.rtt))
    print(
        f"\nround trip {settings.latency * 1000:.0f} ms"
        + (f" + up to {settings.jitter * 1000:.0f} ms jitter" if settings.jitter else "")
        + f", rate limit {RATE_LIMIT}/min; the run took {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
