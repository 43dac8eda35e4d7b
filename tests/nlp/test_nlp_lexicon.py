"""Lexicon loading and staff-added words."""

import pytest

from nlp import load_lexicon, understand


def test_default_lexicon_is_cached():
    assert load_lexicon() is load_lexicon()


def test_with_words_returns_a_new_lexicon_and_leaves_the_old_one_alone():
    base = load_lexicon()
    assert understand("化肥味道冲", base).intent == "unknown"
    new = base.with_words([("化肥味", "环境卫生", 4.0)])
    assert new is not base
    u = understand("化肥味道冲", new)
    assert u.intent == "report_problem" and u.entities["category"] == "环境卫生"
    assert understand("化肥味道冲", base).intent == "unknown"
    assert "化肥味" not in base.tokenizer.FREQ
    assert new.tokenizer is not base.tokenizer


def test_load_lexicon_extra_words_and_rules():
    lex = load_lexicon(extra_words=[("扫码挪车", "停车交通", 4)])
    assert understand("扫码挪车", lex).entities["category"] == "停车交通"
    strict = load_lexicon(extra_rules={"threshold": 100.0})
    assert understand("电梯坏了", strict).intent == "unknown"


def test_unknown_target_is_rejected():
    with pytest.raises(ValueError):
        load_lexicon().with_words([("词", "no_such_intent", 1.0)])


def test_cache_dir(tmp_path):
    lex = load_lexicon(cache_dir=str(tmp_path))
    assert any(p.name.endswith(".cache") for p in tmp_path.iterdir())
    assert understand("电梯坏了", lex).intent == "report_problem"


def test_whole_token_keywords_use_jieba():
    # 接 (accept) must be a word of its own: not inside 直接 / 接送
    assert understand("我接").intent == "task_accept"
    assert understand("直接打电话给我").intent != "task_accept"
