"""Static contracts between config.json, the handlers, the README and Luma's routes, checked for every action and
polling trigger there is, so a new one is covered without a test of its own:

* every handler reads each input of its schema literally: `inputs["k"]` when required, `inputs.get("k")` when not,
  and nothing else (Autohive's config check matches handlers to schemas by these reads; a default written in code
  would contradict the schema's, which is the one place defaults live);
* config.json and the registered handlers name the same actions and polling triggers;
* the README's actions table lists exactly config.json's actions and polling triggers;
* every route in routes.py, and every route an action's or trigger's source declares (luma_routes), is a route of
  Luma's contract (luma_local/contract.json).
"""

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import routes
from luma import luma
from luma_local import LumaEmulator
from luma_local.contract import CONTRACT_PATH
from tests.support import examples

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
HANDLER_MODULES = sorted((ROOT / "actions").glob("*.py")) + sorted((ROOT / "triggers").glob("*.py"))
# What a decorator registers, the method that reads the inputs, and where config.json describes it.
KINDS = {"action": ("execute", "actions"), "polling_trigger": ("poll", "polling_triggers")}


@dataclass
class InputReads:
    """How one handler method reads its inputs."""

    required: set[str] = field(default_factory=set)  # inputs["k"]
    optional: set[str] = field(default_factory=set)  # inputs.get("k")
    other: list[str] = field(default_factory=list)  # any other use of inputs, as written


@dataclass
class Handler:
    kind: str
    name: str
    where: str
    reads: InputReads


def input_reads(method: ast.FunctionDef | ast.AsyncFunctionDef) -> InputReads:
    reads = InputReads()
    inputs = method.args.args[1].arg  # after self
    parents = {child: node for node in ast.walk(method) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(method):
        if not (isinstance(node, ast.Name) and node.id == inputs):
            continue
        parent = parents[node]
        grandparent = parents.get(parent)
        if (
            isinstance(parent, ast.Subscript)
            and parent.value is node
            and isinstance(parent.ctx, ast.Load)
            and isinstance(parent.slice, ast.Constant)
            and isinstance(parent.slice.value, str)
        ):
            reads.required.add(parent.slice.value)
        elif (
            isinstance(parent, ast.Attribute)
            and parent.attr == "get"
            and isinstance(grandparent, ast.Call)
            and grandparent.func is parent
            and len(grandparent.args) == 1
            and not grandparent.keywords
            and isinstance(grandparent.args[0], ast.Constant)
            and isinstance(grandparent.args[0].value, str)
        ):
            reads.optional.add(grandparent.args[0].value)
        else:
            shown = grandparent if isinstance(parent, ast.Attribute) and grandparent is not None else parent
            reads.other.append(f"line {node.lineno}: {ast.unparse(shown)}")
    return reads


def registered(kind: str, decorator: ast.expr) -> str | None:
    """The name in @luma.<kind>("name"), or None for any other decorator."""
    if (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == kind
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.value.id == "luma"
        and decorator.args
        and isinstance(decorator.args[0], ast.Constant)
    ):
        return decorator.args[0].value
    return None


def handlers_in(source: str, where: str) -> list[Handler]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        for kind, (method_name, _) in KINDS.items():
            for decorator in node.decorator_list:
                name = registered(kind, decorator)
                if name is None:
                    continue
                methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
                method = next((m for m in methods if m.name == method_name), None)
                assert method is not None, f"{where}: {node.name} registers {kind} {name!r} but has no {method_name}"
                found.append(Handler(kind, name, f"{where} {node.name}.{method_name}", input_reads(method)))
    return found


ALL_HANDLERS = [
    handler
    for path in HANDLER_MODULES
    for handler in handlers_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
]


def schema_of(handler: Handler) -> dict:
    section = getattr(luma.config, KINDS[handler.kind][1])
    assert handler.name in section, f"{handler.where}: {handler.kind} {handler.name!r} is not in config.json"
    return section[handler.name].input_schema or {}


# ---- handlers read their inputs literally -------------------------------------------------------------------


@pytest.mark.parametrize("handler", ALL_HANDLERS, ids=lambda handler: handler.name)
def test_the_handler_reads_exactly_the_inputs_of_its_schema(handler):
    schema = schema_of(handler)
    properties = set(schema.get("properties") or {})
    required = set(schema.get("required") or [])
    reads = handler.reads
    assert not reads.other, f"{handler.where} uses inputs other than inputs['k'] / inputs.get('k'): {reads.other}"
    assert not reads.required - required, (
        f"{handler.where} reads {sorted(reads.required - required)} as inputs['k'], but the schema does not require "
        "them: read them with inputs.get('k')"
    )
    assert not reads.optional & required, (
        f"{handler.where} reads required {sorted(reads.optional & required)} with inputs.get: use inputs['k']"
    )
    assert reads.required | reads.optional == properties, (
        f"{handler.where}: inputs read but not in the schema {sorted((reads.required | reads.optional) - properties)}"
        f"; in the schema but never read {sorted(properties - reads.required - reads.optional)}"
    )
    assert reads.required == required, f"{handler.where}: required {sorted(required - reads.required)} never read"


def test_the_ast_scan_finds_every_registered_handler():
    # A handler registered some way the scan cannot see would escape the check above.
    scanned = {(handler.kind, handler.name) for handler in ALL_HANDLERS}
    running = {("action", name) for name in luma._action_handlers} | {
        ("polling_trigger", name) for name in luma._polling_handlers
    }
    assert scanned == running


def test_every_action_in_config_has_a_handler_and_every_handler_an_action():
    configured, handled = set(luma.config.actions), set(luma._action_handlers)
    assert not configured - handled, f"actions in config.json without a handler: {sorted(configured - handled)}"
    assert not handled - configured, f"handlers of actions config.json lacks: {sorted(handled - configured)}"


def test_every_polling_trigger_in_config_has_a_handler_and_every_handler_a_trigger():
    configured, handled = set(luma.config.polling_triggers), set(luma._polling_handlers)
    assert not configured - handled, (
        f"polling triggers in config.json without a handler: {sorted(configured - handled)}"
    )
    assert not handled - configured, f"handlers of polling triggers config.json lacks: {sorted(handled - configured)}"


LITERAL = """
@luma.action("get_thing")
class GetThing(ActionHandler):
    async def execute(self, inputs, context):
        return inputs["thing_id"], inputs.get("limit")
"""
LOOSE = """
@luma.action("get_thing")
class GetThing(ActionHandler):
    async def execute(self, inputs, context):
        key = "thing_id"
        inputs["extra"] = 1
        return inputs[key], inputs.get("limit", 10), helper(**inputs), inputs.items()
"""


def test_the_scan_tells_literal_reads_from_any_other():
    (literal,) = handlers_in(LITERAL, "literal.py")
    assert (literal.reads.required, literal.reads.optional, literal.reads.other) == ({"thing_id"}, {"limit"}, [])
    (loose,) = handlers_in(LOOSE, "loose.py")
    assert (loose.reads.required, loose.reads.optional) == (set(), set())
    assert loose.reads.other == [
        "line 6: inputs['extra']",
        "line 7: inputs[key]",
        "line 7: inputs.get('limit', 10)",
        "line 7: **inputs",
        "line 7: inputs.items()",
    ]


# ---- the README lists every action --------------------------------------------------------------------------

ACTION_ROW = re.compile(r"^\|\s*`([a-z][a-z0-9_]*)`\s*\|")


def readme_actions(text: str) -> list[str]:
    """The first cells of the rows of the table under "## Actions" that are a backticked name."""
    (section,) = [part for part in re.split(r"^## ", text, flags=re.MULTILINE) if part.startswith("Actions\n")]
    return [match.group(1) for line in section.splitlines() if (match := ACTION_ROW.match(line))]


def test_the_readme_actions_table_lists_exactly_the_actions_and_triggers():
    listed = readme_actions((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(listed) == len(set(listed)), (
        f"listed twice in README.md: {sorted({a for a in listed if listed.count(a) > 1})}"
    )
    configured = set(luma.config.actions) | set(luma.config.polling_triggers)
    assert not configured - set(listed), f"README.md's actions table lacks {sorted(configured - set(listed))}"
    assert not set(listed) - configured, f"README.md's actions table lists unknown {sorted(set(listed) - configured)}"


def test_readme_rows_are_read_only_from_the_actions_table():
    text = (
        "## Actions\n| Action | x |\n|---|---|\n| `get_thing` | a |\n| `a` in `b` | c |\n\n"
        "## Troubleshooting\n| `x` | y |\n"
    )
    assert readme_actions(text) == ["get_thing"]


# ---- routes are Luma's --------------------------------------------------------------------------------------


def test_every_route_constant_is_a_route_of_lumas_contract():
    paths = {key.split(" ", 1)[1] for key in json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))["routes"]}
    constants = {name: value for name, value in vars(routes).items() if name.isupper() and isinstance(value, str)}
    assert constants, "routes.py defines no routes"
    unknown = {name: value for name, value in constants.items() if value not in paths}
    assert not unknown, f"routes.py names paths that are not in luma_local/contract.json: {unknown}"


@pytest.mark.parametrize("action", sorted(luma.config.actions) + sorted(luma.config.polling_triggers))
def test_the_routes_an_action_declares_are_routes_of_lumas_contract(action):
    contract = set(json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))["routes"])
    declared = examples.luma_routes_of(action)
    assert declared, f"{examples.source_path(action)} declares no luma_routes"
    assert declared <= contract, f"{action} declares routes Luma does not have: {sorted(declared - contract)}"


def test_every_route_of_lumas_contract_is_declared_by_an_action_or_a_trigger():
    # The README says the integration covers every operation of Luma's document; this keeps it true.
    contract = set(json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))["routes"])
    names = [*luma.config.actions, *luma.config.polling_triggers]
    declared = set().union(*(examples.luma_routes_of(name) for name in names))
    assert not contract - declared, f"no action or trigger calls {sorted(contract - declared)}"


# ---- examples say what is missing ---------------------------------------------------------------------------


def test_an_action_without_a_source_or_an_example_says_what_to_add(tmp_path, monkeypatch):
    monkeypatch.setattr(examples, "SOURCES", tmp_path)
    with pytest.raises(examples.ExampleError, match=r"no source schemas/actions/new_thing\.json: add it"):
        examples.example_of("new_thing")
    (tmp_path / "new_thing.json").write_text(json.dumps({"display_name": "New thing"}))
    with pytest.raises(examples.ExampleError, match='has no "example": add one valid input'):
        examples.example_of("new_thing")


def test_an_unknown_placeholder_says_what_to_add():
    emulator = LumaEmulator()
    seeded = examples.seed(emulator)
    with pytest.raises(examples.ExampleError) as raised:
        examples.fill({"ids": ["$gadget_id"]}, emulator, seeded, "get_gadget")
    message = str(raised.value)
    assert "get_gadget: unknown placeholder '$gadget_id'" in message
    assert 'Add it to PLACEHOLDERS in tests/support/examples.py as "$gadget_id": lambda emulator, seeded:' in message
    assert "$event_api_id" in message


def test_placeholders_are_filled_and_other_text_is_kept():
    emulator = LumaEmulator()
    seeded = examples.seed(emulator)
    example = {"event_api_id": "$event_api_id", "note": "$5 off", "guests": [{"id": "$guest_api_id"}]}
    assert examples.fill(example, emulator, seeded) == {
        "event_api_id": seeded["event"]["id"],
        "note": "$5 off",
        "guests": [{"id": seeded["guest"]["id"]}],
    }
