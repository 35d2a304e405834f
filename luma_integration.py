"""How every run of a Luma action or trigger starts and ends, in one place.

`LumaIntegration` is the SDK's `Integration` with four additions:
* inputs are tidied before the SDK validates them: ids trimmed, an enum value in another case taken as the enum's
  own spelling ("EUR" → "eur"), schema defaults filled in (the schema is the one place defaults live), and
  non-finite numbers (NaN, Infinity) refused: JSON Schema counts them as numbers, Luma's JSON cannot hold them;
* a failed validation is told in one short sentence naming the input, what is wrong and the nearest valid
  choice, instead of the SDK's dump of schema paths and whole enums (the validation itself is the SDK's);
* every handler runs inside one run scope (one time budget shared by all its steps, its key masked in any text);
* no exception escapes a handler: it becomes an `ActionError` (or, for triggers, an error with a clear message);
* a poll's records are checked against the trigger's output schema as the SDK checks them, with one compiled
  validator per trigger: the SDK's check re-validates the schema itself for every record (about 4 ms each), which
  would spend the Lambda's time on a poll of a few thousand records.
"""

import difflib
import functools
import json
import math
import re
from typing import Any

from autohive_integrations_sdk import ActionResult, Integration
from autohive_integrations_sdk.integration import IntegrationResult, ResultType, ValidationError, __version__
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from helpers import LumaError, action_error, error_message, run_scope, safe_data, safe_message
from validation import id_problem

SHOWN_CHOICES = 8
SHOWN_VALUE = 40
SHOWN_HINT = 200
_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.\s+(?=[A-Z])")


class TriggerError(Exception):
    """A poll that could not finish: the platform polls again from the same point, so nothing is lost."""


class LumaIntegration(Integration):
    def action(self, name: str):
        register = super().action(name)

        def decorator(handler_class: type) -> type:
            handler_class.execute = _guarded_execute(handler_class.execute)
            return register(handler_class)

        return decorator

    def polling_trigger(self, name: str):
        register = super().polling_trigger(name)

        def decorator(handler_class: type) -> type:
            handler_class.poll = _guarded_poll(handler_class.poll)
            return register(handler_class)

        return decorator

    def input_defaults(self, name: str) -> dict[str, Any]:
        """The defaults an action's schema declares, which the run fills in for absent inputs."""
        properties = self.config.actions[name].input_schema.get("properties") or {}
        return {
            key: spec["default"] for key, spec in properties.items() if isinstance(spec, dict) and "default" in spec
        }

    async def execute_action(self, name: str, inputs: dict[str, Any], context: Any) -> IntegrationResult:
        action = self.config.actions.get(name)
        if action is None or not isinstance(inputs, dict):
            return await super().execute_action(name, inputs, context)
        schema = action.input_schema or {}
        inputs, problem = prepare_inputs(inputs, schema)
        if problem is None:
            result = await super().execute_action(name, inputs, context)
            if result.type != ResultType.VALIDATION_ERROR or result.result.get("source") != "input":
                return result
            problem = explain_validation(inputs, schema)
        with run_scope(getattr(context, "auth", None)):
            # The message quotes the input, which may hold the key pasted into the wrong field.
            problem = safe_message(problem)
        return IntegrationResult(
            version=__version__,
            type=ResultType.VALIDATION_ERROR,
            result={"message": problem, "property": None, "value": None, "source": "input"},
        )

    async def execute_polling_trigger(
        self, name: str, inputs: dict[str, Any], last_poll_ts: str | None, context: Any
    ) -> list[dict[str, Any]]:
        trigger = self.config.polling_triggers.get(name)
        if trigger is None or not isinstance(inputs, dict):
            return await super().execute_polling_trigger(name, inputs, last_poll_ts, context)
        schema = trigger.input_schema or {}
        inputs, problem = prepare_inputs(inputs, schema)
        if problem is None:
            problem = explain_validation(inputs, schema) if _invalid(inputs, schema) else None
        if problem is not None:
            with run_scope(getattr(context, "auth", None)):
                problem = safe_message(problem)
            raise ValidationError(problem, source="input")
        if name not in self._polling_handlers:
            return await super().execute_polling_trigger(name, inputs, last_poll_ts, context)
        # What the SDK's execute_polling_trigger does after validating the inputs (done above), with the records
        # checked by a validator compiled once.
        self._validate_auth(context)
        records = await self._polling_handlers[name]().poll(inputs, last_poll_ts, context)
        check_records(name, records, self._record_validator(name, trigger.output_schema or {}))
        return records

    def _record_validator(self, name: str, schema: dict[str, Any]) -> Draft7Validator:
        validators = self.__dict__.setdefault("_record_validators", {})
        if name not in validators:
            validators[name] = Draft7Validator(schema)
        return validators[name]


def check_records(name: str, records: Any, validator: Draft7Validator) -> None:
    """Every record has an id and data, and its data matches the trigger's output schema (the SDK's rules)."""
    if not isinstance(records, list):
        raise ValidationError(f"Polling trigger '{name}' returned {type(records).__name__}, not a list of records")
    for record in records:
        if not isinstance(record, dict) or "id" not in record:
            raise ValidationError(f"Polling trigger '{name}' returned record without required 'id' field")
        if "data" not in record:
            raise ValidationError(f"Polling trigger '{name}' returned record without required 'data' field")
        error = best_match(validator.iter_errors(record["data"]))
        if error is not None:
            raise ValidationError(error.message, error.schema, error.instance, source="output")


def _guarded_execute(execute):
    @functools.wraps(execute)
    async def run(self: Any, inputs: dict[str, Any], context: Any) -> Any:
        with run_scope(getattr(context, "auth", None)):
            try:
                result = await execute(self, inputs, context)
            except Exception as error:  # noqa: BLE001 - the platform crashes on anything that escapes
                return action_error(error)
            if isinstance(result, ActionResult):
                result.data = safe_data(result.data)
            return result

    return run


def _guarded_poll(poll):
    @functools.wraps(poll)
    async def run(self: Any, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> Any:
        with run_scope(getattr(context, "auth", None)):
            try:
                return safe_data(await poll(self, inputs, last_poll_ts, context))
            except LumaError as error:
                raise TriggerError(error_message(error)) from None
            except Exception as error:  # noqa: BLE001 - only a clear message may leave a trigger
                raise TriggerError(error_message(error)) from None

    return run


# ---- Inputs before validation ------------------------------------------------------------------------------


def _is_id_input(name: str) -> bool:
    return name.endswith(("_id", "_ids"))


def prepare_inputs(inputs: dict[str, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Tidied inputs, or the one-sentence reason they cannot be used."""
    properties = schema.get("properties") or {}
    tidy: dict[str, Any] = {}
    for name, value in inputs.items():
        spec = properties.get(name) or {}
        if _is_id_input(name):
            value = _trim_ids(value)
            if value == "" or (isinstance(value, list) and "" in value):
                return inputs, f"input '{name}' is blank; give the id, or leave the input out."
            # An input the action does not take is the schema's to name ("unknown input ..., did you mean ...").
            wrong = id_problem(name, value) if name in properties else None
            if wrong is not None:
                return inputs, wrong
        tidy[name] = _enum_spelling(value, spec)
    bad = _non_finite(tidy)
    if bad is not None:
        return tidy, f"input '{bad}' is not a finite number (NaN and Infinity cannot be sent to Luma); give a number."
    for name, spec in properties.items():
        if name not in tidy and isinstance(spec, dict) and "default" in spec:
            tidy[name] = spec["default"]
    return tidy, None


def _trim_ids(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


def _enum_spelling(value: Any, spec: dict[str, Any]) -> Any:
    """An enum value given in another case or with spaces around it, as the enum spells it."""
    if isinstance(value, list) and isinstance(spec.get("items"), dict):
        return [_enum_spelling(item, spec["items"]) for item in value]
    choices = spec.get("enum")
    if not isinstance(value, str) or not isinstance(choices, list) or value in choices:
        return value
    folded = [choice for choice in choices if isinstance(choice, str) and choice.lower() == value.strip().lower()]
    return folded[0] if len(folded) == 1 else value


def _non_finite(value: Any, path: str = "") -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path or "input"
    if isinstance(value, dict):
        for key, item in value.items():
            found = _non_finite(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _non_finite(item, f"{path}[{index}]")
            if found:
                return found
    return None


# ---- One sentence per validation failure --------------------------------------------------------------------


def _invalid(inputs: Any, schema: dict[str, Any]) -> bool:
    return any(True for _ in Draft7Validator(schema).iter_errors(inputs))


def explain_validation(inputs: Any, schema: dict[str, Any]) -> str:
    errors = sorted(
        Draft7Validator(schema).iter_errors(inputs),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if not errors:
        return "The inputs do not match this action's schema."
    first = _explain(errors[0], schema)
    more = len(errors) - 1
    return first + (f" ({more} more problem{'s' if more > 1 else ''} after fixing this.)" if more else "")


def _where(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


def _nearest(value: Any, choices: list[Any]) -> list[str]:
    words = [str(choice) for choice in choices]
    if not isinstance(value, str):
        return []
    lowered = {word.lower(): word for word in words}
    if value.strip().lower() in lowered:
        return [lowered[value.strip().lower()]]
    return difflib.get_close_matches(value, words, n=2, cutoff=0.6) or difflib.get_close_matches(
        value.lower(), list(lowered), n=2, cutoff=0.5
    )


def _choices_text(choices: list[Any], value: Any) -> str:
    nearest = _nearest(value, choices)
    if nearest:
        return "did you mean " + " or ".join(f"'{choice}'" for choice in nearest) + "?"
    if len(choices) <= SHOWN_CHOICES:
        return "use one of " + ", ".join(f"'{choice}'" for choice in choices) + "."
    return f"use one of the {len(choices)} values its description lists."


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _type_text(expected: Any) -> str:
    kinds = expected if isinstance(expected, list) else [expected]
    return " or ".join(_TYPE_NAMES.get(kind, str(kind)) for kind in kinds if kind != "null") or "null"


def _explain(error: Any, schema: dict[str, Any]) -> str:
    where = _where(error.absolute_path)
    name = f"input '{where}'" if where else "the inputs"
    kind, value = error.validator, error.instance
    if kind == "additionalProperties":
        allowed = list((error.schema.get("properties") or {}).keys())
        given = value if isinstance(value, dict) else {}
        unknown = [key for key in given if key not in allowed]
        if unknown:
            key = unknown[0]
            nearest = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
            where_in = f" in '{where}'" if where else ""
            hint = (
                f"did you mean '{nearest[0]}'?"
                if nearest
                else f"the inputs{where_in} are: {', '.join(allowed[:20])}{'…' if len(allowed) > 20 else ''}."
            )
            return f"unknown input '{key}'{where_in}; {hint}"
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        inside = f" in '{where}'" if where else ""
        return f"missing required input '{missing}'{inside}."
    if kind == "enum":
        return f"{name} is {_shown(value)}, which is not allowed: {_choices_text(error.validator_value, value)}"
    if kind == "const":
        return f"{name} must be {_shown(error.validator_value)}, not {_shown(value)}."
    if kind == "type":
        return f"{name} must be {_type_text(error.validator_value)}, not {_shown(value)}."
    limits = {
        "minLength": f"is too short (at least {error.validator_value} characters)",
        "maxLength": f"is too long (at most {error.validator_value} characters)",
        "minimum": f"is below the minimum {error.validator_value}",
        "maximum": f"is above the maximum {error.validator_value}",
        "exclusiveMinimum": f"must be above {error.validator_value}",
        "exclusiveMaximum": f"must be below {error.validator_value}",
        "minItems": f"needs at least {error.validator_value} item{'s' if error.validator_value != 1 else ''}",
        "maxItems": f"takes at most {error.validator_value} items",
        "uniqueItems": "has repeated items",
        "pattern": "is not in the expected format" + _format_hint(error, schema),
        "format": f"is not a valid {error.validator_value}",
        "minProperties": "is empty; give at least one field",
        "multipleOf": f"must be a multiple of {error.validator_value}",
    }
    if kind in limits:
        shown = "" if kind in ("minItems", "maxItems") else f" {_shown(value)}"
        return f"{name}{shown} {limits[kind]}."
    if kind in ("anyOf", "oneOf") and error.context:
        return _explain_branches(error, name, schema)
    if kind == "not":
        return _explain_not(error, schema) or (
            f"{name} has a value or combination that is not allowed here (see the input's description)."
        )
    return f"{name}: {error.message[:200]}"


def _format_hint(error: Any, schema: dict[str, Any]) -> str:
    """What the input should look like: the first sentence of its description (the item's, else the input's)."""
    description = error.schema.get("description")
    if not description and error.absolute_path:
        spec = (schema.get("properties") or {}).get(error.absolute_path[0])
        description = spec.get("description") if isinstance(spec, dict) else None
    if not isinstance(description, str) or not description.strip():
        return " (see the input's description)"
    sentence = _SENTENCE_END.split(description.strip(), maxsplit=1)[0].rstrip(".")
    return f": {sentence[: SHOWN_HINT - 1] + '…' if len(sentence) > SHOWN_HINT else sentence}"


def _forbidden_fields(rule: Any) -> list[str]:
    """The fields a `not` forbids, when it wraps `required` (or any of several `required`)."""
    if not isinstance(rule, dict):
        return []
    fields = list(rule.get("required") or [])
    for branch in rule.get("anyOf") or []:
        fields += _forbidden_fields(branch)
    return fields


def _schema_at(schema: Any, path: list[Any]) -> Any:
    for part in path:
        try:
            schema = schema[part]
        except (KeyError, IndexError, TypeError):
            return None
    return schema


def _condition_text(condition: Any, value: dict[str, Any]) -> str | None:
    """An `if` on one field's value, in words: "question_type is 'dropdown' or 'multi-select' (here 'text')"."""
    properties = condition.get("properties") if isinstance(condition, dict) else None
    if not isinstance(properties, dict) or len(properties) != 1:
        return None
    ((key, rule),) = properties.items()
    choices = [rule["const"]] if "const" in rule else rule.get("enum")
    if not isinstance(choices, list):
        return None
    here = f" (here {_shown(value[key])})" if key in value else ""
    return f"{key} is " + " or ".join(_shown(choice) for choice in choices) + here


def _explain_not(error: Any, schema: dict[str, Any]) -> str | None:
    """A field given where a `not` forbids it: which field, and (from the `if` whose `else` this is) when it is
    allowed."""
    value = error.instance if isinstance(error.instance, dict) else {}
    given = [field for field in _forbidden_fields(error.validator_value) if field in value]
    if not given:
        return None
    where = _where([*error.absolute_path, given[0]])
    path = list(error.absolute_schema_path)
    condition = None
    if path[-2:] == ["else", "not"]:
        holder = _schema_at(schema, path[:-2])
        condition = _condition_text(holder.get("if") if isinstance(holder, dict) else None, value)
    if condition:
        return f"input '{where}' is only allowed when {condition}; leave it out."
    return f"input '{where}' is not allowed here; leave it out."


def _discriminators(branches: list[Any]) -> set[str]:
    """The fields that pick a shape: fixed by const or enum in more than one branch (geo_address_json's type)."""
    seen: dict[str, int] = {}
    for branch in branches:
        properties = branch.get("properties") if isinstance(branch, dict) else None
        for key, rule in (properties or {}).items():
            if isinstance(rule, dict) and ("const" in rule or "enum" in rule):
                seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count > 1}


# Which of a shape's problems to explain first, at the same depth: an unknown key (most often a misspelling of the
# missing one), then a missing key, then the rest.
_FIRST_TOLD = {"additionalProperties": 0, "required": 1}


def _explain_branches(error: Any, name: str, schema: dict[str, Any]) -> str:
    """For a value that fits none of several shapes: explain the nearest shape's first problem, which is what the
    caller most likely meant. Nearest: a shape whose discriminator (type "manual") the value has, else one that
    takes the value's JSON type, then the one whose errors go deepest, then the fewest."""
    by_branch: dict[int, list[Any]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    if error.validator == "oneOf" and len(by_branch) < len(error.validator_value):
        return f"{name} matches more than one of its accepted shapes; give only the fields of one."
    picks_shape = _discriminators(error.validator_value)

    def rank(item: tuple[int, list[Any]]) -> tuple[bool, bool, int, int]:
        subs = item[1]
        wrong_kind = any(sub.validator == "type" and not sub.relative_path for sub in subs)
        other_shape = any(
            sub.validator in ("const", "enum") and list(sub.relative_path)[:1] == [key] and len(sub.relative_path) == 1
            for sub in subs
            for key in picks_shape
        )
        return (wrong_kind, other_shape, -max(len(sub.absolute_path) for sub in subs), len(subs))

    _, subs = min(by_branch.items(), key=rank)
    deepest = min(subs, key=lambda sub: (-len(sub.absolute_path), _FIRST_TOLD.get(sub.validator, 2)))
    if deepest.validator == "const" and len(deepest.relative_path) == 1 and deepest.relative_path[0] in picks_shape:
        # No shape has this value: offer every shape's value, not only the nearest shape's.
        key = deepest.relative_path[0]
        shapes = [b.get("properties") or {} for b in error.validator_value if isinstance(b, dict)]
        picks = [shape[key].get("const") for shape in shapes if isinstance(shape.get(key), dict)]
        return f"input '{_where(deepest.absolute_path)}' is {_shown(deepest.instance)}, which is not allowed: " + (
            _choices_text([pick for pick in picks if pick is not None], deepest.instance)
        )
    sentence = _explain(deepest, schema)
    if deepest.validator == "required":
        missing = deepest.message.split("'")[1] if "'" in deepest.message else ""
        value = error.instance if isinstance(error.instance, dict) else {}
        chosen = [key for key in sorted(picks_shape) if key in value and key != missing]
        if chosen and not deepest.relative_path:
            # The value picked its shape (type "manual"): say that this shape is what needs the key.
            key = chosen[0]
            sentence = sentence.rstrip(".") + f", which {key} {_shown(value[key])} requires."
            return sentence
        # A missing discriminator (geo_address_json without type): name the values that pick a shape.
        picks = [
            branch.get("properties", {}).get(missing, {}).get("const")
            for branch in error.validator_value
            if isinstance(branch, dict)
        ]
        picks = [pick for pick in picks if pick is not None]
        if picks:
            sentence = sentence.rstrip(".") + f" (one of {', '.join(repr(pick) for pick in picks)})."
    return sentence
