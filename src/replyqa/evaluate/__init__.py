"""The evaluation harness: questions → systems → metrics → report files.

``metrics`` (pure scoring functions), ``questions`` (project JSONL and SQuAD files),
``baselines`` (the systems compared), ``runner`` (running and scoring), ``report``
(report.json, report.md, plots, results.jsonl) and ``harness`` (one whole evaluation).
"""
