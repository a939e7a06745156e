"""The bench's CPU budgets: a scenario fails only if it is over its budget in the run and when measured again."""

from bench.run import BUDGETS, budget_line, over_budget


def result(scenario: str, ratio: float) -> dict:
    return {"scenario": scenario, "cpu_vs_baseline": ratio}


def test_a_scenario_within_its_budget_passes_and_one_over_it_fails_without_a_recheck():
    budget = BUDGETS["book_spread"]
    results = [result("baseline", 1.0), result("book_spread", budget), result("me", BUDGETS["me"] + 0.1)]

    assert [r["scenario"] for r in over_budget(results)] == ["me"]


def test_a_scenario_over_its_budget_passes_if_measured_again_within_it_and_fails_if_over_again():
    budget = BUDGETS["book_hot"]
    results = [result("baseline", 1.0), result("book_hot", budget + 3)]

    within = [result("baseline", 1.0), result("book_hot", budget - 1)]
    over = [result("baseline", 1.0), result("book_hot", budget + 1)]

    assert over_budget(results, within) == []
    (failed,) = over_budget(results, over)
    assert budget_line(failed, over) == (
        f"book_hot: {budget + 3:.1f}x the baseline's CPU per request, {budget + 1:.1f}x measured again "
        f"(budget {budget}x)"
    )


def measured(scenario: str, rps: float, share: float) -> dict:
    return {"scenario": scenario, "rps": rps, "vs_baseline": share, "p99_ms": 50.0, "server_cpu_ms": 1.0}


def test_the_app_is_compared_with_the_yardstick_on_the_scenarios_both_served():
    from pathlib import Path

    from bench.run import Target, against_plain

    plain = Target(name="plain", tree=Path("."), url="", redis_url="", port=0, work=Path("."))
    app = Target(name="", tree=Path("."), url="", redis_url="", port=0, work=Path("."))
    plain.results = [measured("baseline", 1000, 1.0), measured("book_spread", 100, 0.10)]
    app.results = [measured("baseline", 1000, 1.0), measured("movies", 500, 0.5), measured("book_spread", 250, 0.25)]

    rows = against_plain(plain, app).splitlines()[2:]

    assert [row.split(" | ")[0] for row in rows] == ["| baseline", "| book_spread"]  # movies: the yardstick has none
    assert rows[1].split(" | ")[3:5] == ["0.10 → 0.25", "2.50"]
