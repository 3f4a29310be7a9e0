"""English question terms become Chinese search terms the archive uses."""
from replyqa.translate import chinese_terms, gloss


def test_terms_come_from_the_dictionary_and_are_filtered_by_the_archive():
    vocab = {"培训", "学分", "每年", "停车位", "步行街"}
    assert set(chinese_terms("how many training credits are required per year", known=vocab.__contains__)) == {"培训", "学分", "每年"}
    assert chinese_terms("parking spaces in the pedestrian street", known=vocab.__contains__) == ["停车位", "步行街"]


def test_stopwords_alone_give_nothing():
    assert chinese_terms("what is the how of it", known=lambda w: True) == []


def test_place_names_in_pinyin_find_their_chinese_names():
    from replyqa.translate import proper_noun_key

    assert proper_noun_key("Ning2 shan3") == "ningshan" and proper_noun_key("Lu:3 liang2") == "luliang"
    assert proper_noun_key("ning2 shan3") == ""  # lower-case pinyin: a common word, not a name
    vocab = {"宁陕县", "宁陕", "道路", "拓宽", "仙居县", "龙陵县"}
    assert "宁陕县" in chinese_terms("Ningshan County's reply on widening the road", known=vocab.__contains__)
    assert "仙居县" in chinese_terms("Where is the Xianju County project?", known=vocab.__contains__)
    assert "龙陵县" in chinese_terms("What titles did Longling County obtain?", known=vocab.__contains__)
    # a romanised name never displaces a gloss of an ordinary English word
    assert chinese_terms("what will change", known=lambda w: True)[0] != "嫦娥"


def test_gloss_looks_a_word_up_by_its_stem():
    assert gloss("credits") == gloss("credit") and "学分" in gloss("credits")
    assert gloss("Counties") == gloss("county")


def test_synonyms_share_a_first_sense_in_the_dictionary():
    from replyqa.translate import synonyms

    assert "教师" in synonyms("老师") and "改建" in synonyms("翻修") and "交通灯" in synonyms("红绿灯")
    # a measure-word note ("CL:个") or a "variant of" line is no sense: nouns must not all become synonyms
    assert not synonyms("老师") & {"丈夫", "下午", "书店"}
    assert "老师" not in synonyms("老师") and synonyms("不是一个词") == frozenset()


def test_the_asked_thing_is_found_under_another_word_the_reply_uses():
    from replyqa.answer.score import focus_found
    from replyqa.normalise import match_key

    reply = match_key("2025年正在改造的城市危旧房共488套。全县中小学教师每年不少于60学分。")
    assert focus_found("老师", reply, "")
    assert not focus_found("运动场", reply, "")


def test_a_word_typed_by_its_sound_is_found_where_one_character_differs_in_writing_not_in_sound():
    from replyqa.answer.score import focus_found, sounds_in

    assert sounds_in("投姿", "总投资约5000万元") and sounds_in("宿社", "新建师生宿舍2栋")
    assert not sounds_in("年终奖", "年终总结") and not sounds_in("投资", "总投资")  # no slip: the plain check finds it
    assert not sounds_in("校车", "消防车")  # one character apart, but in sound too
    assert focus_found("宿社", "", "新建师生宿舍2栋") and not focus_found("宿社", "", "新建教学楼2栋")


def test_the_archive_filter_is_asked_only_until_enough_words_are_found():
    from replyqa.translate import chinese_terms, english_index

    asked = []

    def known(word: str) -> bool:
        asked.append(word)
        return True

    terms = chinese_terms("county", known=known, per_term=2)
    assert terms == list(dict.fromkeys(english_index()["county"]))[:2]
    assert len(asked) == 2  # not every translation the dictionary has: each check cuts the word with jieba
