"""Parsing the Project ID box (S3, S4): separators, spacing, case, duplicates, limits, each error naming the value."""

from __future__ import annotations

import pytest

from sharing.rules import parse_project_ids, split_project_ids

A, B, C = "a" * 32, "b" * 32, "0123456789abcdef" * 2


def parse(text: str, limit: int = 100):
    return parse_project_ids(split_project_ids(text), limit=limit)


@pytest.mark.parametrize(
    "text",
    [f"{A},{B},{C}", f"{A}, {B} ,{C}", f"{A}\n{B}\r\n{C}", f"  {A}   {B}\t{C}  ", f"{A},,{B};{C},", f"{A.upper()},{B},{C.upper()}"],
)
def test_commas_newlines_and_spaces_all_separate_ids_which_are_trimmed_and_lower_cased(text):
    parsed = parse(text)
    assert parsed.ids == [A, B, C]
    assert parsed.problems == []


def test_duplicates_are_collapsed_and_said_so():
    parsed = parse(f"{A},{B},{A.upper()},{A},{B}")
    assert parsed.ids == [A, B]
    # Every repeated entry, as often as it was repeated, so that a message can say "entered 3 times".
    assert parsed.duplicates == [A, A, B]


@pytest.mark.parametrize("text", ["", "   ", ",\n,"])
def test_empty_input_asks_for_an_id(text):
    assert [p.message for p in parse(text).problems] == ["Enter at least one project ID."]


def test_100_ids_are_accepted_and_101_refused_counting_after_duplicates():
    ids = [f"{n:032x}" for n in range(101)]
    assert parse(",".join(ids[:100])).problems == []
    assert parse(",".join(ids[:100] + [ids[0]])).problems == []
    problems = parse(",".join(ids)).problems
    assert [p.message for p in problems] == [
        "101 project IDs were entered (after removing duplicates); at most 100 can be shared with in one submission."
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a" * 31, "it has 31 characters"),
        ("a" * 33, "it has 33 characters"),
        ("z" * 32, "it contains “z”"),
        ("xyz", "it has 3 characters and it contains “x”, “y”, “z”"),
    ],
)
def test_each_malformed_id_is_named_with_the_reason(value, reason):
    problems = parse(f"{A},{value}").problems
    assert len(problems) == 1
    assert problems[0].code == "IMG.0067"
    assert problems[0].item == value
    assert problems[0].message.startswith(f"“{value}” is not a project ID: {reason};")
