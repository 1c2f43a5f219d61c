"""Scoring: answers to numbers per item, index, role and unit, with confidentiality enforced.

Pure core (pandas, no Flask or SQLite): reports, `survey scores` and the web preview all call
these functions, so every output obeys exactly the same suppression.
"""
