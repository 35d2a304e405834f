"""Guests' answers to an event's registration questions, as guests/add records them.

Luma's document: a string for text-like questions (text, long-text, dropdown, url, phone-number, social
handles), a list of strings for multi-select, a boolean for agree-check, ``{company, job_title}`` for company;
the guest object shows each answer with the question's label and type. Assumed: answers to dropdown and
multi-select questions must be among the question's options, and terms take a string or ``true``.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request

# What an answer must be, by question type; every other type takes a string.
ANSWER_TYPES: dict[str, tuple[type, ...]] = {
    "agree-check": (bool,),
    "multi-select": (list,),
    "company": (dict,),
    "terms": (str, bool),
}


def _check_value(question: dict, value: Any, where: str) -> None:
    expected = ANSWER_TYPES.get(question["question_type"], (str,))
    if not isinstance(value, expected) or (bool not in expected and isinstance(value, bool)):
        names = " or ".join(t.__name__ for t in expected)
        raise bad_request(f"Invalid {where}.value: a {question['question_type']} question takes a {names}")
    if question["question_type"] == "terms" and value is False:
        raise bad_request(f"Invalid {where}.value: terms are accepted with true or a signature")
    options = question.get("options")
    if options is not None:
        chosen = value if isinstance(value, list) else [value]
        strangers = [v for v in chosen if v not in options]
        if strangers:
            raise bad_request(f"Invalid {where}.value: {strangers[0]!r} is not one of the question's options")


def recorded(ev: dict, answers: list[dict] | None, where: str) -> list[dict] | None:
    """The answers as the guest object shows them, or None when there are none; 400 for a bad answer."""
    if not answers:
        return None
    questions = {q["id"]: q for q in ev["registration_questions"]}
    out = []
    for i, answer in enumerate(answers):
        question = questions.get(answer["question_id"])
        if question is None:
            raise bad_request(
                f"Invalid {where}[{i}].question_id: {answer['question_id']!r} is not a registration question "
                "of this event (see registration_questions of /v1/events/get)"
            )
        _check_value(question, answer["value"], f"{where}[{i}]")
        out.append(
            {
                "label": question["label"],
                "question_id": question["id"],
                "value": answer["value"],
                "question_type": question["question_type"],
            }
        )
    return out
