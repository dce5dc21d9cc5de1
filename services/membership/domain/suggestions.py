"""Connection suggestions: the members most worth meeting, each with the reason shown.

Score: shared interests count double (a conversation to have); complementary skills count
once each way (they can help with what I care about, I can help with what they care about).
Same region first (people can meet), then elsewhere; ties by name then id, so it is stable."""

from __future__ import annotations

from dataclasses import dataclass

from services.membership.domain.member import Member


@dataclass(frozen=True)
class Suggestion:
    member: Member
    score: int
    same_region: bool
    shared_interests: tuple[str, ...]
    they_can_help_with: tuple[str, ...]
    you_can_help_with: tuple[str, ...]

    @property
    def reason(self) -> str:
        parts = []
        if self.shared_interests:
            parts.append("you both care about " + ", ".join(self.shared_interests))
        if self.they_can_help_with:
            parts.append("they have skills in " + ", ".join(self.they_can_help_with))
        if self.you_can_help_with:
            parts.append("you could help with " + ", ".join(self.you_can_help_with))
        where = "in your region" if self.same_region else f"in {self.member.region}"
        return f"{'; '.join(parts).capitalize()} ({where})"


def suggest(me: Member, candidates: list[Member], limit: int = 10) -> list[Suggestion]:
    mine, my_skills = set(me.profile.interests), set(me.profile.skills)
    found = []
    for other in candidates:
        if other.id == me.id or not other.is_active:
            continue
        theirs, their_skills = set(other.profile.interests), set(other.profile.skills)
        shared = tuple(sorted(mine & theirs))
        they_help = tuple(sorted(their_skills & mine))
        you_help = tuple(sorted(my_skills & theirs))
        score = 2 * len(shared) + len(they_help) + len(you_help)
        if score:
            found.append(
                Suggestion(other, score, other.region == me.region, shared, they_help, you_help)
            )
    found.sort(key=lambda s: (not s.same_region, -s.score, s.member.profile.name, s.member.id))
    return found[:limit]
