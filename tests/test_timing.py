"""Stage timings: recorded only inside a recording, added up per stage, ordered as the pipeline runs."""
from __future__ import annotations

import time

from replyqa.timing import as_json, recording, rounded, stage


def test_a_stage_outside_a_recording_records_nothing_and_runs_its_block():
    ran = []
    with stage("dense"):
        ran.append(1)
    assert ran == [1]


def test_stages_add_up_and_come_out_in_pipeline_order():
    with recording() as times:
        with stage("compose"):
            time.sleep(0.002)
        with stage("dense"):
            pass
        with stage("compose"):
            time.sleep(0.002)
    assert times["compose"] >= 4 and set(times) == {"compose", "dense"}
    assert [k for k, _ in rounded(times)] == ["dense", "compose"]


def test_a_recording_ends_with_its_block_even_on_error():
    try:
        with recording():
            raise ValueError
    except ValueError:
        pass
    with stage("dense"):
        pass  # no recording left open to write into


def test_the_json_keeps_retrieve_as_the_sum_of_the_retrieval_stages():
    out = as_json((("analyse", 1.0), ("embed", 2.5), ("dense", 3.0), ("compose", 4.0)))
    assert out["retrieve"] == 6.5 and out["compose"] == 4.0
    assert "retrieve" not in as_json((("generate", 9.0),))
