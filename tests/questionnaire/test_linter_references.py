"""Cross-reference rules: ids, scales, choice lists, roles, indexes and quality pairs."""

from __future__ import annotations

from tests.conftest import lint, messages


def test_duplicate_question_ids_name_the_first_use():
    result = lint(
        """
        pages:
          - id: p
            questions:
              - {id: q1, type: text, text: A}
              - {id: q1, type: text, text: B}
        """
    )
    assert messages(result) == ["q.yaml:8:14: error: duplicate id 'q1' (first used at line 7)"]


def test_matrix_items_share_the_question_namespace():
    result = lint(
        """
        scales:
          s: {points: 6}
        pages:
          - id: p
            questions:
              - {id: q1, type: text, text: A}
              - id: m
                type: likert_matrix
                scale: s
                text: Hvor enig er du?
                items:
                  - {id: q1, text: Jeg trives}
        """
    )
    assert messages(result) == ["q.yaml:15:18: error: duplicate id 'q1' (first used at line 9)"]


def test_invalid_ids_and_codes_get_a_spelling_hint():
    result = lint(
        """
        pages:
          - id: p
            questions:
              - id: Q-1
                type: single_choice
                text: A
                choices:
                  - {code: ordfører, label: Ordfører}
                  - {code: nei, label: Nei}
        """
    )
    assert messages(result) == [
        "q.yaml:7:13: error: id 'Q-1' is not a valid id",
        "q.yaml:11:20: error: choice code 'ordfører' is not a valid code",
    ]
    assert "'o' for 'ø'" in result.errors[1].hint


def test_duplicate_choice_codes():
    result = lint(
        """
        choice_lists:
          svar:
            - {code: ja, label: Ja}
            - {code: ja, label: Nei}
        pages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]
        """
    )
    assert messages(result) == [
        "q.yaml:7:14: error: duplicate choice code 'ja' (first used at line 6)"
    ]


def test_unknown_scale_and_choice_list_suggest_names():
    result = lint(
        """
        scales:
          enighet: {points: 6}
        choice_lists:
          ja_nei: [{code: ja, label: Ja}, {code: nei, label: Nei}]
        pages:
          - id: p
            questions:
              - {id: q1, type: likert, scale: enighe, text: A}
              - {id: q2, type: single_choice, choices: ja_ne, text: B}
        """
    )
    assert messages(result) == [
        "q.yaml:11:39: error: unknown scale 'enighe' in question 'q1'; did you mean 'enighet'?",
        "q.yaml:12:48: error: unknown choice list 'ja_ne' in question 'q2'; did you mean 'ja_nei'?",
    ]


def test_empty_choice_lists():
    result = lint(
        """
        choice_lists:
          tom: []
        pages:
          - id: p
            questions:
              - {id: q1, type: single_choice, choices: [], text: B}
        """
    )
    assert messages(result) == [
        "q.yaml:5:8: error: choice list 'tom' is empty",
        "q.yaml:9:48: error: question 'q1' has an empty choice list",
    ]


def test_scale_needs_two_points_and_labels_inside_it():
    result = lint(
        """
        scales:
          en: {points: 1}
          fem:
            points: 5
            labels: {1: Svært dårlig, 6: Svært bra}
        pages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]
        """
    )
    assert messages(result) == [
        "q.yaml:5:16: error: scale 'en' has 1 point(s); a scale needs at least two",
        "q.yaml:8:34: error: label for point 6 is outside scale 'fem' (1-5)",
    ]


def test_unknown_role_in_audience_and_empty_audience():
    result = lint(
        """
        roles:
          - {code: prosjektleder, label: Prosjektleder}
        pages:
          - id: p
            audience: [prosjektledr]
            questions:
              - {id: q1, type: text, text: A, audience: []}
        """
    )
    assert messages(result) == [
        "q.yaml:8:16: error: unknown role 'prosjektledr' in audience; "
        "did you mean 'prosjektleder'?",
        "q.yaml:10:49: error: the audience is empty, so nobody would see this",
    ]


def test_role_question_must_be_single_choice_over_declared_roles():
    result = lint(
        """
        roles:
          - {code: ordforer, label: Ordfører}
          - {code: radmann, label: Rådmann}
        role_question: q1
        pages:
          - id: p
            questions:
              - id: q1
                type: single_choice
                text: Hva er din tilknytning til kommunen?
                choices:
                  - {code: ordforer, label: Ordfører}
                  - {code: ordfoerer, label: Ordfører (feil)}
        """
    )
    assert messages(result) == [
        "q.yaml:6:12: warning: role 'radmann' is not an option of role question 'q1'",
        "q.yaml:16:20: error: option 'ordfoerer' of role question 'q1' is not a declared role; "
        "did you mean 'ordforer'?",
    ]


def test_role_question_that_is_not_single_choice():
    result = lint(
        """
        roles: [{code: a, label: A}]
        role_question: q1
        pages:
          - id: p
            questions:
              - {id: q1, type: text, text: Rolle}
        """
    )
    assert messages(result) == [
        "q.yaml:5:16: error: role question 'q1' is a text question; it must be single_choice"
    ]


INDEX_BASE = """
scales:
  s: {points: 6}
  fem: {points: 5}
pages:
  - id: p
    questions:
      - {id: q1, type: likert, scale: s, text: A}
      - {id: q2, type: likert, scale: s, text: B, reverse: true}
      - {id: q3, type: single_choice, text: C, choices: [{code: ja, label: Ja}]}
      - {id: q4, type: likert, scale: fem, text: D}
indexes:
"""


def test_index_over_non_likert_item_and_unknown_item():
    result = lint(
        INDEX_BASE
        + """
  - id: trivsel
    label: Trivsel
    items: [q1, q2, q3, q9]
"""
    )
    assert messages(result) == [
        "q.yaml:18:21: error: index 'trivsel' includes 'q3', a single_choice question; "
        "only likert items can be scored",
        "q.yaml:18:25: error: index 'trivsel' refers to unknown item 'q9'",
    ]


def test_index_min_answered_target_and_mixed_scales():
    result = lint(
        INDEX_BASE
        + """
  - id: trivsel
    label: Trivsel
    items: [q1, q2, q4]
    min_answered: 4
    target: 7
"""
    )
    assert messages(result) == [
        "q.yaml:18:12: error: index 'trivsel' mixes scales (fem, s)",
        "q.yaml:19:19: error: min_answered 4 of index 'trivsel' must be between 1 and 3 "
        "(its number of items)",
    ]


def test_index_target_outside_scale():
    result = lint(
        INDEX_BASE
        + """
  - {id: trivsel, label: Trivsel, items: [q1, q2], target: 7}
"""
    )
    assert messages(result) == [
        "q.yaml:16:60: error: target 7 of index 'trivsel' is outside its scale (1-6)"
    ]


def test_valid_index_gets_defaults():
    result = lint(
        INDEX_BASE.replace("q3, type: single_choice", "q3, type: single_choice")
        + "  - {id: trivsel, label: Trivsel, items: [q1, q2], target: 4.5}\n"
    )
    assert result.ok, messages(result)
    index = result.questionnaire.indexes[0]
    assert index.min_answered == 1 and index.target == 4.5
    assert [i.reverse for i in index.items] == [False, True]


def test_quality_pairs_need_likert_items_on_one_scale():
    result = lint(
        INDEX_BASE.replace("indexes:\n", "")
        + """
quality_pairs:
  - {id: respekt, label: Respekt, expectation: q1, experience: q4}
  - {id: info, label: Informasjon, expectation: q3, experience: q1}
"""
    )
    assert messages(result) == [
        "q.yaml:16:5: error: quality pair 'respekt' pairs items on scales of different range (s, fem)",
        "q.yaml:17:49: error: quality pair 'info' includes 'q3', a single_choice question; "
        "only likert items can be scored",
    ]


def test_number_bounds_must_be_ordered():
    result = lint(
        """
        pages:
          - id: p
            questions:
              - {id: q1, type: number, text: Alder, min: 120, max: 18}
        """
    )
    assert messages(result) == ["q.yaml:7:50: error: min 120 is greater than max 18"]


def test_translation_missing_main_language_and_declared_translation():
    result = lint(
        """
        id: test
        version: 1
        title: {nb: Test, en: Test}
        translations: [en]
        pages:
          - id: p
            questions:
              - {id: q1, type: text, text: {en: Age}}
              - {id: q2, type: text, text: Bare bokmål}
        """
    )
    assert messages(result) == [
        "q.yaml:8:36: error: this text has no 'nb' version, the questionnaire's language",
        "q.yaml:9:36: warning: no en translation of this text",
    ]


def test_quality_pair_may_use_two_scales_with_the_same_points():
    result = lint(
        """
        scales:
          viktighet: {points: 6, labels: {1: Ikke viktig, 6: Svært viktig}}
          fornoyd: {points: 6, labels: {1: Svært misfornøyd, 6: Svært fornøyd}}
        pages:
          - id: p
            questions:
              - {id: f1, type: likert, scale: viktighet, text: Hvor viktig er respekt}
              - {id: l1, type: likert, scale: fornoyd, text: Hvor fornøyd er du med respekten}
        quality_pairs:
          - {id: respekt, label: Respekt, expectation: f1, experience: l1, dimension: Respekt}
        """
    )
    assert result.ok, messages(result)
    (pair,) = result.questionnaire.quality_pairs
    assert (pair.expectation.id, pair.experience.id, pair.dimension) == ("f1", "l1", "Respekt")


def test_not_every_role_may_be_residual():
    result = lint(
        """
        roles:
          - {code: ordforer, label: Ordfører, residual: true}
          - {code: annet, label: Annet, residual: true}
        pages:
          - id: p
            questions:
              - {id: q, type: text, text: Hei}
        """
    )
    assert messages(result) == [
        "q.yaml:5:49: error: every role is residual, so no answer would ever be reported"
    ]
    one = lint(
        """
        roles:
          - {code: ordforer, label: Ordfører}
          - {code: annet, label: Annet, residual: true}
        pages:
          - id: p
            questions:
              - {id: q, type: text, text: Hei}
        """
    )
    assert one.ok and one.questionnaire.residual_roles == {"annet"}


def test_respondent_attributes_have_valid_ids_of_their_own():
    result = lint(
        """
        respondent_attributes:
          - {id: unit, label: Kommunenavn/bydel}
          - {id: Pulje, label: Pulje}
          - {id: unit, label: Enhet}
        pages:
          - id: p
            questions:
              - {id: q1, type: text, text: A}
        """
    )
    assert messages(result) == [
        "q.yaml:6:10: error: respondent attribute id 'Pulje' is not valid",
        "q.yaml:7:10: error: duplicate respondent attribute id 'unit' (first used at line 5)",
    ]
    assert lint("respondent_attributes: [{id: pulje, label: Pulje}]\n" + PAGE).ok


PAGE = """
pages:
  - id: p
    questions:
      - {id: q1, type: text, text: A}
"""
