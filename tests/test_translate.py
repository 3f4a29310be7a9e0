"""English question terms become Chinese search terms the archive uses."""
from replyqa.translate import chinese_terms, is_english


def test_language_detection():
    assert is_english("how many training credits are required per year")
    assert not is_english("教师每年需要多少学分")
    assert not is_english("5350万元")


def test_terms_come_from_the_dictionary_and_are_filtered_by_the_archive():
    vocab = {"培训", "学分", "每年", "停车位", "步行街"}
    assert set(chinese_terms("how many training credits are required per year", known=vocab.__contains__)) == {"培训", "学分", "每年"}
    assert chinese_terms("parking spaces in the pedestrian street", known=vocab.__contains__) == ["停车位", "步行街"]


def test_stopwords_alone_give_nothing():
    assert chinese_terms("what is the how of it", known=lambda w: True) == []
