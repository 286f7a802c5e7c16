"""The causes told for the meeting: only parts pushing the way the KPI moved, never noise or small samples,
one dimension (so the same deals are not counted twice), mix or rate said, factors with their own mover."""

from __future__ import annotations

from retropack.insights.why import tell
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.explain import Breakdown, Explanation, Factor, Part, Side
from retropack.months import Month


def result(kpi: str, actual: float, previous: float, explanation: Explanation) -> KpiResult:
    return KpiResult(KPIS[kpi], actual, previous, None, "no_target", False, ((Month(2026, 10), actual),),
                     explanation)


def count(group: str | None, now: float, before: float, rows: int) -> Part:
    return Part(group, now - before, None, None, Side(now, None, rows), Side(before, None, rows), rows >= 5, rows < 5)


def rate(group: str, mix: float, rate_part: float, significant: bool, shares: tuple[float, float] = (50, 50)) -> Part:
    return Part(group, mix + rate_part, mix, rate_part, Side(10, shares[0], 20), Side(10, shares[1], 20), significant,
                False)


def test_small_parts_are_never_causes_and_are_named_apart() -> None:
    by = (Breakdown("lead_source", (count("partner", 1_500_000, 590_000, 4), count("webinar", 550_000, 0, 1))),)
    why = tell(result("ma_won_amount", 2_050_000, 590_000, Explanation(1_460_000, by, None)))
    assert why.causes == () and [c.part.group for c in why.small] == ["partner", "webinar"]


def test_people_are_never_told_as_causes_nor_as_small_samples() -> None:
    """The owner breakdown explains as much as the source, but a salesperson is an owner of work, not a finding:
    the story is told by the source."""
    by = (Breakdown("owner", (count("佐藤", 1_500_000, 100_000, 40), count("鈴木", 550_000, 0, 1))),
          Breakdown("lead_source", (count("web", 1_100_000, 100_000, 30), count("ads", 950_000, 0, 11))))
    why = tell(result("ma_won_amount", 2_050_000, 100_000, Explanation(1_950_000, by, None)))
    assert {c.dimension for c in (*why.causes, *why.small)} == {"lead_source"}
    only_people = (by[0],)
    assert tell(result("ma_won_amount", 2_050_000, 100_000, Explanation(1_950_000, only_people, None))).empty


def test_one_dimension_tells_the_story_and_only_parts_pushing_its_way() -> None:
    by = (Breakdown("source", (count("web", 30, 10, 40), count("ads", 5, 12, 17))),
          Breakdown("segment", (count("smb", 20, 12, 32), count("ent", 15, 10, 25))))
    why = tell(result("new_leads", 35, 22, Explanation(13, by, None)))
    assert [c.dimension for c in why.causes] == ["source"]  # web +20 outweighs smb +8; ads −7 pushes the other way
    assert [c.part.group for c in why.causes] == ["web"] and why.causes[0].moved == "change"


def test_a_rate_cause_needs_the_z_test_and_the_story_says_mix_or_rate() -> None:
    by = (Breakdown("scenario", (rate("A", -0.001, -0.05, True), rate("B", -0.03, -0.002, False))),)
    why = tell(result("email_open_rate", 0.2, 0.283, Explanation(-0.083, by, None)))
    assert [(c.part.group, c.moved) for c in why.causes] == [("A", "rate"), ("B", "mix")]
    assert why.mostly == "rate"  # −0.052 from the rates against −0.031 from the mix
    noise = (Breakdown("scenario", (rate("A", 0.0, -0.05, False),)),)
    assert tell(result("email_open_rate", 0.2, 0.25, Explanation(-0.05, noise, None))).causes == ()


def test_factors_are_causes_with_their_own_largest_mover() -> None:
    spend_by = (Breakdown("channel", (count("events", 0, 381_000, 9), count("ads", 500_000, 480_000, 9))),)
    factors = (Factor("spend", 1, 1_501_000, 1_028_000, -1_675.0, spend_by), Factor("new_leads", -1, 322, 245, 1_210.0))
    why = tell(result("cpl", 4_196, 4_661, Explanation(-465.0, (), factors)))
    [cause] = why.causes
    assert cause.factor.name == "spend" and cause.detail.part.group == "events"


def factor(name: str, exponent: int, before: float, now: float, effect: float) -> Factor:
    return Factor(name, exponent, before, now, effect)


def test_net_drivers_tell_both_directions_in_the_charts_order_and_sum_to_the_change() -> None:
    """CPL fell ¥466: spend fell (−¥1,675) and leads fell (+¥1,209). Both are told, largest first, and they sum;
    the old telling kept only the part pushing the way the KPI moved (−¥1,675 for a change of −¥466)."""
    factors = (factor("spend", 1, 1_501_000, 1_028_000, -1_675.0), factor("new_leads", -1, 322, 245, 1_209.0))
    why = tell(result("cpl", 4_195.9, 4_661.9, Explanation(-466.0, (), factors)))
    assert why.net is not None
    assert [c.factor.name for c in why.net.parts] == ["spend", "new_leads"]
    assert why.net.others is None and why.net.total == -466.0


def test_parts_beyond_the_fourth_become_others_so_what_is_told_still_sums() -> None:
    parts = tuple(count(f"g{i}", 10 + i * sign, 10, 30) for i, sign in ((5, 1), (4, -1), (3, 1), (2, -1), (1, 1)))
    change = sum(p.effect for p in parts)
    why = tell(result("new_leads", 50 + change, 50, Explanation(change, (Breakdown("source", parts),), None)))
    assert why.net is not None
    assert [c.part.group for c in why.net.parts] == ["g5", "g4", "g3", "g2"]  # by size, both directions
    assert why.net.others == 1 and why.net.total == change


def test_a_mean_is_told_as_the_deals_that_came_in_never_as_more_wins_lowering_it() -> None:
    """LTV: 29 deals averaging ¥600,000, then 5 more averaging ¥500,000: one part, the whole change."""
    before, now = 29 * 600_000, 29 * 600_000 + 5 * 500_000
    change = now / 34 - 600_000
    factors = (factor("won_amount_12m", 1, before, now, 123.0), factor("won_deals_12m", -1, 29, 34, change - 123.0))
    why = tell(result("ltv", now / 34, 600_000, Explanation(change, (), factors)))
    assert why.net is not None and [c.moved for c in why.net.parts] == ["mean"]
    assert why.net.parts[0].effect == change and why.causes == why.net.parts
