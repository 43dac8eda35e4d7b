"""evaluate() on a tiny example whose figures are computed by hand."""

import pytest

from nlp import Understanding, evaluate, format_report

FAKE = {
    "a1": "report_problem",
    "a2": "report_problem",
    "a3": "rate",
    "b1": "rate",
    "c1": "cancel",
}


def fake_understand(text):
    ents = {"building": "03"} if text == "a1" else {}
    if text == "a2":
        ents = {"building": "4", "task_code": "t5"}
    return Understanding(FAKE[text], 0.5, ents, (), ())


RECORDS = [
    {"text": "a1", "intent": "report_problem", "entities": {"building": "3"}},
    {"text": "a2", "intent": "report_problem", "entities": {"building": "5", "task_code": "T5"}},
    {"text": "a3", "intent": "report_problem"},
    {"text": "b1", "intent": "rate"},
    {"text": "c1", "intent": "human"},
]


def test_hand_computed_metrics():
    r = evaluate(RECORDS, understand_fn=fake_understand)
    assert r["accuracy"] == pytest.approx(3 / 5)
    # report_problem: tp 2, fp 0, fn 1 -> P 1, R 2/3, F1 0.8
    assert r["intents"]["report_problem"] == {
        "precision": 1.0,
        "recall": pytest.approx(0.6667, abs=1e-4),
        "f1": pytest.approx(0.8),
        "support": 3,
    }
    # rate: tp 1, fp 1 -> P 0.5, R 1, F1 2/3
    assert r["intents"]["rate"]["f1"] == pytest.approx(0.6667, abs=1e-4)
    # human: support 1, never predicted; cancel: predicted once, no support
    assert r["intents"]["human"]["f1"] == 0.0
    assert r["intents"]["cancel"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    # macro over the four labels present in gold or predictions
    assert r["macro_f1"] == pytest.approx((0.8 + 0.6667 + 0 + 0) / 4, abs=1e-4)
    assert r["confusion"]["report_problem"] == {"report_problem": 2, "rate": 1}
    assert [m["line"] for m in r["misclassified"]] == [3, 5]
    # entities: "03" == "3" as digits; 4 != 5; t5 upper-cased == T5
    assert r["entities"]["building"] == {"accuracy": 0.5, "support": 2}
    assert r["entities"]["task_code"] == {"accuracy": 1.0, "support": 1}
    assert r["entity_errors"] == [
        {"line": 2, "text": "a2", "key": "building", "gold": "5", "predicted": "4"}
    ]


def test_format_report_mentions_the_figures():
    text = format_report(evaluate(RECORDS, understand_fn=fake_understand))
    assert "accuracy 0.6000" in text
    assert "report_problem -> rate: 1" in text
    assert "line 5: human -> cancel" in text
    assert "building" in text


def test_real_engine_on_the_dev_set_meets_targets():
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "nlu_dev.jsonl"
    records = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    assert len(records) >= 450
    r = evaluate(records)
    assert r["macro_f1"] >= 0.95
    for key in ("building", "unit", "room"):
        assert r["entities"][key]["accuracy"] >= 0.97


# --- macro-F1 over gold ∪ predicted labels, and category accuracy ------------------

UNION_PRED = {
    "p1": ("report_problem", "电梯"),
    "p2": ("unknown", None),
    "p3": ("report_problem", "其他"),
    "r1": ("rate", None),
    "r2": ("report_problem", "电梯"),
}


def union_understand(text):
    intent, category = UNION_PRED[text]
    ents = {"category": category} if category else {}
    return Understanding(intent, 0.5, ents, (), ())


UNION_RECORDS = [
    {"text": "p1", "intent": "report_problem", "entities": {"category": "电梯"}},
    {"text": "p2", "intent": "report_problem", "entities": {"category": "电梯"}},
    {"text": "p3", "intent": "report_problem", "entities": {"category": "公共照明"}},
    {"text": "r1", "intent": "rate"},
    {"text": "r2", "intent": "rate"},
]


def test_macro_f1_over_the_union_counts_a_wrong_unknown():
    r = evaluate(UNION_RECORDS, understand_fn=union_understand)
    # report_problem: tp 2, fp 1 (r2), fn 1 (p2) -> P 2/3, R 2/3, F1 2/3
    # rate:           tp 1, fp 0, fn 1 (r2)     -> P 1,   R 1/2, F1 2/3
    # unknown:        tp 0, fp 1 (p2), no gold  -> F1 0, yet it is a label of the union
    assert r["labels_union"] == ["rate", "report_problem", "unknown"]
    assert r["macro_f1_union"] == pytest.approx((2 / 3 + 2 / 3 + 0) / 3, abs=1e-4)
    assert r["macro_f1_gold"] == pytest.approx(2 / 3, abs=1e-4)
    # category: p1 right; p2 not even a report; p3 the wrong category -> 1 of 3
    assert r["category_accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert r["category_support"] == 3
    assert r["category_confusion"] == {"电梯": {"(unknown)": 1}, "公共照明": {"其他": 1}}
    # the existing figures are still there
    assert r["accuracy"] == pytest.approx(3 / 5)
    assert set(r) >= {
        "count",
        "accuracy",
        "macro_f1",
        "intents",
        "entities",
        "confusion",
        "misclassified",
        "entity_errors",
    }


def test_format_report_shows_union_macro_f1_and_category_accuracy():
    text = format_report(evaluate(UNION_RECORDS, understand_fn=union_understand))
    assert "macro-F1 over gold ∪ predicted labels (3) 0.4444" in text
    assert "category accuracy (report_problem) 0.3333   support 3" in text
    assert "category 公共照明 -> 其他: 1" in text


def test_real_engine_on_dev_set_5_meets_targets():
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "nlu_dev5.jsonl"
    records = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    assert len(records) >= 290
    r = evaluate(records)
    assert r["macro_f1_union"] >= 0.98
    assert r["category_accuracy"] >= 0.97
