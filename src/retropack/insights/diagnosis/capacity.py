"""Team capacity against the seed (必要な役割と人員, 企業規模別の推奨体制): hours per role and the
structure recommended for the company's size, from the config's optional ``team`` block."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.config import Team
from retropack.insights.diagnosis.evidence import Evidence, Quantity, Term

__all__ = ["RECOMMENDED_HOURS", "ROLES", "STRUCTURES", "assess_capacity", "Capacity", "RoleCapacity", "Structure"]

ROLES: tuple[str, ...] = ("ma_admin", "content", "analyst", "sales_liaison")
RECOMMENDED_HOURS: dict[str, tuple[float, float]] = {  # 工数目安(週)
    "ma_admin": (15, 20), "content": (10, 15), "analyst": (5, 10), "sales_liaison": (3, 5),
}


@dataclass(frozen=True)
class Structure:
    """One row of 企業規模別の推奨体制, as numbers the config can be checked against."""

    dedicated: tuple[int, int]  # people working only on MA: at least, at most
    part_time: int  # people sharing MA with other work, at least
    dedicated_roles: tuple[str, ...]  # roles the seed says to make full-time
    external_support: bool


STRUCTURES: dict[str, Structure] = {
    "~50": Structure((0, 0), 1, (), True),  # 兼任1名+外部支援
    "50-200": Structure((1, 1), 1, ("ma_admin",), False),  # 専任1名+兼任1名, MA管理者を専任化
    "200-500": Structure((2, 3), 0, ("ma_admin", "content"), False),  # 専任2〜3名, コンテンツ担当を分離
    "500+": Structure((3, 5), 0, ROLES, False),  # 専任チーム(3〜5名), 分析・営業連携も専任化
}


@dataclass(frozen=True)
class RoleCapacity:
    role: str
    people: float
    weekly_hours: float
    dedicated: bool
    recommended: tuple[float, float]

    @property
    def shortfall(self) -> float:
        return max(self.recommended[0] - self.weekly_hours, 0.0)


@dataclass(frozen=True)
class Capacity:
    company_size: str
    roles: tuple[RoleCapacity, ...]
    dedicated_people: float
    part_time_people: float
    external_support: bool
    structure_gaps: tuple[Evidence, ...]  # where the team differs from the recommended structure

    @property
    def total_hours(self) -> float:
        return sum(r.weekly_hours for r in self.roles)

    @property
    def recommended_total(self) -> tuple[float, float]:
        return sum(r.recommended[0] for r in self.roles), sum(r.recommended[1] for r in self.roles)

    @property
    def shortfall_hours(self) -> float:
        return sum(r.shortfall for r in self.roles)

    @property
    def short_roles(self) -> tuple[RoleCapacity, ...]:
        return tuple(r for r in self.roles if r.shortfall > 0)


def _structure_gaps(team: Team, dedicated: float, part_time: float) -> tuple[Evidence, ...]:
    want = STRUCTURES[team.company_size]
    size = Term(f"capacity.size.{team.company_size}")
    gaps = []
    if dedicated < want.dedicated[0]:
        gaps.append(Evidence("structure_dedicated_short", "watch", {
            "size": size, "have": Quantity(dedicated, "people"), "need": Quantity(want.dedicated[0], "people")}))
    if dedicated + part_time < want.dedicated[0] + want.part_time:
        gaps.append(Evidence("structure_people_short", "watch", {
            "size": size, "have": Quantity(dedicated + part_time, "people"),
            "need": Quantity(want.dedicated[0] + want.part_time, "people")}))
    for role in want.dedicated_roles:
        held = team.roles.get(role)  # type: ignore[call-overload]
        if held is None or not held.dedicated or held.people <= 0:
            gaps.append(Evidence("structure_role_not_dedicated", "watch", {"size": size, "role": Term(f"role.{role}")}))
    if want.external_support and not team.external_support:
        gaps.append(Evidence("structure_no_external_support", "watch", {"size": size}))
    return tuple(gaps)


def assess_capacity(team: Team | None) -> Capacity | None:
    """The team against the seed's hours and structure; None when the config has no ``team`` block."""
    if team is None:
        return None
    roles = []
    for role in ROLES:
        held = team.roles.get(role)  # type: ignore[call-overload]
        roles.append(RoleCapacity(role, held.people if held else 0.0, held.weekly_hours if held else 0.0,
                                  bool(held and held.dedicated), RECOMMENDED_HOURS[role]))
    dedicated = sum(r.people for r in roles if r.dedicated)
    part_time = sum(r.people for r in roles if not r.dedicated)
    return Capacity(team.company_size, tuple(roles), dedicated, part_time, team.external_support,
                    _structure_gaps(team, dedicated, part_time))
