"""The filters a view or report applies to contacts (queue, channel, agent, team)."""

from __future__ import annotations

from dataclasses import dataclass

from data.config import Config


@dataclass(frozen=True)
class Filters:
    queue: str | None = None
    channel: str | None = None
    agent: str | None = None
    team: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.queue or self.channel or self.agent or self.team)


def team_of(agent: str | None, cfg: Config) -> str | None:
    return cfg.teams.get(agent) if agent else None


def team_members(team: str, cfg: Config) -> list[str]:
    return sorted(a for a, t in cfg.teams.items() if t == team)
