"""Evaluation of understanding against labelled messages (JSONL records)."""

from __future__ import annotations

import re
from collections.abc import Callable

from nlp.engine import understand

_DIGIT_KEYS = {"building", "unit", "room", "rating"}
_UPPER_KEYS = {"task_code", "job_code", "ticket_code", "pair_code"}


def _canon(key: str, value) -> str | None:
    if value is None:
        return None
    v = str(value).strip()
    if key in _DIGIT_KEYS:
        digits = re.sub(r"\D", "", v)
        return str(int(digits)) if digits else v
    if key in _UPPER_KEYS:
        return v.upper().replace(" ", "")
    return v


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(records: list[dict], understand_fn: Callable = understand) -> dict:
    """Judge each record alone; see the README of tests/data for the format."""
    confusion: dict[str, dict[str, int]] = {}
    misclassified: list[dict] = []
    entity_errors: list[dict] = []
    ent_total: dict[str, int] = {}
    ent_ok: dict[str, int] = {}
    cat = {"ok": 0, "miss": 0}
    category_confusion: dict[str, dict[str, int]] = {}
    correct = 0
    for n, rec in enumerate(records, 1):
        text, gold = rec["text"], rec["intent"]
        u = understand_fn(text)
        pred = u.intent
        row = confusion.setdefault(gold, {})
        row[pred] = row.get(pred, 0) + 1
        if pred == gold:
            correct += 1
        else:
            misclassified.append(
                {
                    "line": n,
                    "text": text,
                    "gold": gold,
                    "predicted": pred,
                    "confidence": u.confidence,
                }
            )
        gold_category = (rec.get("entities") or {}).get("category")
        if gold == "report_problem" and gold_category:
            got_category = u.entities.get("category") if pred == gold else None
            ok = got_category == gold_category
            cat["ok" if ok else "miss"] += 1
            if not ok:
                wrong = category_confusion.setdefault(gold_category, {})
                key = got_category or f"({pred})"
                wrong[key] = wrong.get(key, 0) + 1
        for key, gold_value in (rec.get("entities") or {}).items():
            ent_total[key] = ent_total.get(key, 0) + 1
            got = _canon(key, u.entities.get(key))
            if got == _canon(key, gold_value):
                ent_ok[key] = ent_ok.get(key, 0) + 1
            else:
                entity_errors.append(
                    {
                        "line": n,
                        "text": text,
                        "key": key,
                        "gold": gold_value,
                        "predicted": u.entities.get(key),
                    }
                )
    gold_labels = sorted(confusion)
    labels = sorted(set(confusion) | {p for row in confusion.values() for p in row})
    intents = {}
    exact_f1: dict[str, float] = {}
    for name in labels:
        tp = confusion.get(name, {}).get(name, 0)
        support = sum(confusion.get(name, {}).values())
        predicted = sum(row.get(name, 0) for row in confusion.values())
        p, r, f = _prf(tp, predicted - tp, support - tp)
        exact_f1[name] = f
        intents[name] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": support,
        }
    total = len(records)
    cat_total = sum(cat.values())
    return {
        "count": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "macro_f1": round(sum(v["f1"] for v in intents.values()) / len(intents), 4)
        if intents
        else 0.0,
        # scikit-learn's f1_score(average="macro", labels=<gold ∪ predicted>,
        # zero_division=0): a label that was only ever predicted (a wrong
        # "unknown") counts with F1 0.
        "macro_f1_union": _mean(exact_f1[k] for k in labels),
        "labels_union": labels,
        # the same over gold labels only (wrong predictions still lower recall)
        "macro_f1_gold": _mean(exact_f1[k] for k in gold_labels),
        # report_problem records with a gold category: the predicted message must
        # be a report and carry that category
        "category_accuracy": round(cat["ok"] / cat_total, 4) if cat_total else 0.0,
        "category_support": cat_total,
        "category_confusion": category_confusion,
        "intents": intents,
        "entities": {
            k: {"accuracy": round(ent_ok.get(k, 0) / t, 4), "support": t}
            for k, t in sorted(ent_total.items())
        },
        "confusion": confusion,
        "misclassified": misclassified,
        "entity_errors": entity_errors,
    }


def _mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


def format_report(report: dict, misclassified_limit: int = 50) -> str:
    """Readable text table of an :func:`evaluate` report."""
    lines = [f"{'intent':<18}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}"]
    for name, m in sorted(report["intents"].items()):
        lines.append(
            f"{name:<18}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9}"
        )
    lines.append("")
    count = report.get("count", sum(m["support"] for m in report["intents"].values()))
    lines.append(
        f"messages {count}   accuracy {report['accuracy']:.4f}   macro-F1 {report['macro_f1']:.4f}"
    )
    if "macro_f1_union" in report:
        lines.append(
            f"macro-F1 over gold ∪ predicted labels ({len(report['labels_union'])}) "
            f"{report['macro_f1_union']:.4f}   over gold labels "
            f"{report['macro_f1_gold']:.4f}"
        )
    if report.get("category_support"):
        lines.append(
            f"category accuracy (report_problem) {report['category_accuracy']:.4f}"
            f"   support {report['category_support']}"
        )
        misses = sorted(
            ((c, g, p) for g, row in report["category_confusion"].items() for p, c in row.items()),
            reverse=True,
        )
        for c, g, p in misses[:10]:
            lines.append(f"  category {g} -> {p}: {c}")
    if report["entities"]:
        lines.append("")
        lines.append(f"{'entity':<14}{'accuracy':>10}{'support':>9}")
        for key, m in report["entities"].items():
            lines.append(f"{key:<14}{m['accuracy']:>10.3f}{m['support']:>9}")
    pairs = sorted(
        ((c, g, p) for g, row in report["confusion"].items() for p, c in row.items() if g != p),
        reverse=True,
    )
    if pairs:
        lines.append("")
        lines.append("top confusions (gold -> predicted: count)")
        for c, g, p in pairs[:10]:
            lines.append(f"  {g} -> {p}: {c}")
    mis = report["misclassified"]
    if mis:
        lines.append("")
        lines.append(f"misclassified ({len(mis)}, showing {min(len(mis), misclassified_limit)})")
        for m in mis[:misclassified_limit]:
            lines.append(
                f"  line {m['line']}: {m['gold']} -> {m['predicted']} "
                f"({m['confidence']:.2f})  {m['text']}"
            )
    errs = report.get("entity_errors") or []
    if errs:
        lines.append("")
        lines.append(f"entity errors ({len(errs)}, showing {min(len(errs), misclassified_limit)})")
        for e in errs[:misclassified_limit]:
            lines.append(
                f"  line {e['line']}: {e['key']} gold={e['gold']} "
                f"predicted={e['predicted']}  {e['text']}"
            )
    return "\n".join(lines)
