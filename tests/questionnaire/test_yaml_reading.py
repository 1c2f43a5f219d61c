"""Reading YAML safely: syntax errors located, nothing constructed, nothing expanded."""

from __future__ import annotations

import time

import pytest

from survey.questionnaire import load_text
from survey.questionnaire.yamlsource import MAX_SOURCE_BYTES
from tests.conftest import lint, messages


def test_syntax_error_reports_parser_position():
    result = lint(
        """
        id: test
        title: "unterminated
        version: 1
        """
    )
    assert not result.ok
    first = result.errors[0]
    assert first.position.line == 4
    assert first.message == (
        "YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar that starts at line 2, column 8)"
    )


def test_bad_indentation_is_a_syntax_error_with_line():
    result = lint(
        """
        id: test
        title: Test
          version: 1
        """
    )
    assert messages(result) == [
        "q.yaml:3:10: error: YAML syntax error: mapping values are not allowed here"
    ]


def test_python_object_tag_is_reported_and_never_constructed(tmp_path, monkeypatch):
    import os

    calls = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command))
    result = lint(
        """
        id: !!python/object/apply:os.system ["echo pwned > /tmp/pwned"]
        version: 1
        title: Test
        pages: []
        """
    )
    assert "q.yaml:1:5: error: the YAML tag '!!python/object/apply:os.system' is not allowed" in (
        messages(result)
    )
    assert result.questionnaire is None
    assert calls == []


def test_local_tags_are_refused_too():
    result = lint("id: !include other.yaml\nversion: 1\ntitle: T\npages: []\n")
    assert "q.yaml:1:5: error: the YAML tag '!include' is not allowed" in messages(result)


def test_billion_laughs_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    started = time.perf_counter()
    result = load_text("\n".join(lines) + "\n", "bomb.yaml")
    assert time.perf_counter() - started < 2
    assert any(
        p.message == "anchors and aliases (&name / *name) are not supported"
        and p.position.line == 2
        for p in result.errors
    )


def test_duplicate_key_is_an_error_not_silently_overwritten():
    result = lint(
        """
        id: test
        version: 1
        title: First
        title: Second
        pages: []
        """
    )
    assert "q.yaml:4:1: error: duplicate key 'title' (first at line 3)" in messages(result)


def test_norwegian_words_and_country_code_stay_text():
    result = lint(
        """
        choice_lists:
          svar:
            - {code: ja, label: Ja}
            - {code: nei, label: no}
            - {code: land, label: NO}
        pages:
          - id: p
            questions:
              - {id: q1, type: single_choice, text: Spm, choices: svar}
        """
    )
    assert result.ok, messages(result)
    labels = [str(c.label) for c in result.questionnaire.question("q1").choices]
    assert labels == ["Ja", "no", "NO"]


def test_empty_file():
    assert messages(load_text("", "q.yaml")) == ["q.yaml:1:1: error: the file is empty"]


def test_huge_file_is_refused_before_parsing():
    result = load_text("# " + "x" * MAX_SOURCE_BYTES + "\n", "big.yaml")
    assert messages(result) == ["big.yaml:1:1: error: the file is larger than 1000 kB"]


def test_top_level_must_be_a_mapping():
    result = load_text("- just\n- a list\n", "q.yaml")
    assert messages(result) == [
        "q.yaml:1:1: error: the file must be a mapping of keys at the top level "
        "(id:, title:, pages: ...)"
    ]


def test_deep_nesting_is_a_message_not_a_crash():
    result = load_text("id: " + "[" * 2000 + "]" * 2000 + "\n", "deep.yaml")
    assert messages(result) == ["deep.yaml:1:1: error: the file is nested too deeply to read"]


@pytest.mark.parametrize("character", ["\x03", "\x1b", "\ufffe"])
def test_a_character_yaml_does_not_allow_is_a_positioned_message_not_a_crash(character):
    """Found by the fuzzing pass: PyYAML checks every character before parsing, outside
    the errors it marks, so an upload with a pasted control character answered 500."""
    result = load_text(f"id: x\nversion: 1\ntitle: Til{character}syn\n", "q.yaml")
    assert messages(result) == [
        f"q.yaml:3:11: error: the file contains a character YAML does not allow "
        f"(U+{ord(character):04X})"
    ]


def test_only_the_str_tag_is_allowed():
    result = lint(
        """
        id: test
        version: !!int abc
        title: !!seq Hei
        pages:
          - id: p
            questions:
              - {id: q1, type: text, text: !!str 2009, required: !!bool ja}
        """
    )
    assert messages(result) == [
        "q.yaml:2:10: error: the YAML tag '!!int' is not allowed",
        "q.yaml:3:8: error: the YAML tag '!!seq' is not allowed",
        "q.yaml:7:58: error: the YAML tag '!!bool' is not allowed",
    ]


def test_str_tag_keeps_a_number_as_text():
    result = lint(
        """
        id: test
        version: 1
        title: !!str 2009
        pages: [{id: p, questions: [{id: q1, type: text, text: A}]}]
        """
    )
    assert result.ok and result.questionnaire.title.default == "2009"


def test_anchor_and_alias_are_reported_where_written():
    result = lint(
        """
        id: test
        version: 1
        title: &t Hei
        pages: [{id: p, questions: [{id: q1, type: text, text: *t}]}]
        """
    )
    assert messages(result) == [
        "q.yaml:3:8: error: anchors and aliases (&name / *name) are not supported",
        "q.yaml:4:56: error: anchors and aliases (&name / *name) are not supported",
    ]
