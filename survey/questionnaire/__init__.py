"""The questionnaire core: file format, linter, model and conditions.

Pure Python on purpose: no Flask, SQLite or WeasyPrint is imported here, so the same model
serves the web forms, the importer, scoring and reports, and is tested without any of them.
"""

from survey.questionnaire.loader import LoadResult, load_file, load_questionnaire, load_text
from survey.questionnaire.model import Questionnaire
from survey.questionnaire.problems import Problem, QuestionnaireError

__all__ = [
    "LoadResult",
    "Problem",
    "Questionnaire",
    "QuestionnaireError",
    "load_file",
    "load_questionnaire",
    "load_text",
]
