"""The records that pass between stages."""
from replyqa.filters import reply_date
from replyqa.records import ReplyMeta


def test_date_is_signed_else_published():
    assert ReplyMeta(signed="2025-04-21", published="2025-05-01").date == "2025-04-21"
    assert ReplyMeta(published="2025-05-01").date == "2025-05-01"
    assert ReplyMeta().date == ""


def test_filters_file_a_month_only_signature_under_the_published_day():
    meta = ReplyMeta(signed="2025-04", published="2025-05-01")
    assert meta.date == "2025-04"  # shown as the reply states it
    assert reply_date(meta) == 20250501  # but a date range needs a day


def test_meta_from_json_lists_is_hashable():
    meta = ReplyMeta(session=[14, 4], addressees=["张三代表"], co_units=["县教育局"], spans=[["handler", 1, 3]])
    assert hash(meta) and meta.session == (14, 4) and meta.spans == (("handler", 1, 3),)
