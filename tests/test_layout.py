"""The layout rules of docs/architecture.md that import-linter cannot check."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("bot", "handlers", "nlp", "storage", "admin")
LIMIT = 400


def test_no_hand_written_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for layer in LAYERS
        for path in (ROOT / layer).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert long == {}


def test_features_have_one_package_per_layer() -> None:
    for feature in (
        "requests",
        "residents",
        "volunteers",
        "employment",
        "notices",
        "meetings",
        "projects",
        "polls",
        "pairs",
        "handovers",
        "knowledge",
    ):
        assert (ROOT / "storage" / feature / "__init__.py").exists(), feature
        assert (ROOT / "admin" / feature / "__init__.py").exists(), feature
    for feature in ("polls", "pairs", "projects", "employment"):
        assert (ROOT / "handlers" / feature / "__init__.py").exists(), feature
    for feature in ("requests", "meals", "notices", "employment", "polls", "pairs", "projects"):
        assert (ROOT / "bot" / "jobs" / f"{feature}.py").exists(), feature
    flat = sorted(p.stem for p in (ROOT / "storage").glob("*_*.py"))
    assert not [name for name in flat if name.split("_")[0] in ("request", "notice", "job")]
