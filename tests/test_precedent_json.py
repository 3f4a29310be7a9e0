"""What a precedent check shows: the JSON others rely on, the promises with their status, the marked passages."""
from __future__ import annotations

import json

from replyqa.normalise import to_simplified
from replyqa.precedent import PrecedentChecker, proposal_words
from replyqa.precedent_json import SIMILAR_FIELDS, result_json, segments
from tests.test_precedent import REPEAT, archive, calibration  # noqa: F401  (archive is a fixture)


def test_the_json_has_the_issue_s_fields_first_and_promises_with_status(archive):
    checker = PrecedentChecker(archive, calibration())
    data = result_json(archive, checker.check(REPEAT), "2025-06-30")
    assert set(data) >= {"similar", "repeat_of", "suggested_lead", "proposal"}
    json.dumps(data)  # plain JSON
    first = data["similar"][0]
    assert tuple(first)[:len(SIMILAR_FIELDS)] == SIMILAR_FIELDS
    assert data["repeat_of"] == first["reply_id"] and 0 <= first["similarity"] <= 100
    assert [s["similarity"] for s in data["similar"]] == sorted((s["similarity"] for s in data["similar"]), reverse=True)
    reply = archive.reply(first["reply_id"])
    assert first["title"] == reply.title and first["office"] == reply.meta.office and first["date"] == reply.meta.date
    (promise,) = first["promises"]  # 預計2019年完工
    assert promise["due"] == "2019-12-31" and promise["status"] == "overdue"
    assert reply.text[promise["start"]:promise["end"]] == promise["quote"]


def test_passages_are_exact_slices_and_the_marks_are_words_of_the_proposal(archive):
    data = result_json(archive, PrecedentChecker(archive, calibration()).check(REPEAT), "2025-06-30")
    words = proposal_words(REPEAT)
    marked = 0
    for r in data["similar"]:
        reply = archive.reply(r["reply_id"])
        for p in r["passages"]:
            assert reply.text[p["start"]:p["end"]] == p["text"]
            pieces = segments(p["text"], p["start"], p["marks"])
            assert "".join(piece for piece, _ in pieces) == p["text"]
            for piece, hit in pieces:
                if hit:
                    marked += 1
                    simple = to_simplified(piece).lower()  # a mark is words of the proposal, end to end
                    covered = {i for w in words for at in range(len(simple)) if simple.startswith(w, at)
                               for i in range(at, at + len(w))}
                    assert covered == set(range(len(simple)))
    assert marked
