"""The settings the journey definitions take: the session gap and the conversion window."""

from __future__ import annotations

from dataclasses import dataclass

from spark_jobs import contract
from spark_jobs.errors import UserError


@dataclass(frozen=True)
class MartOptions:
    """`session_gap_minutes` G (0 keeps user_session unsplit) and `funnel_window_hours` W."""

    session_gap_minutes: int = contract.DEFAULT_SESSION_GAP_MINUTES
    funnel_window_hours: int = contract.DEFAULT_FUNNEL_WINDOW_HOURS

    def __post_init__(self) -> None:
        if self.session_gap_minutes < 0:
            raise UserError(f"the session gap must be 0 or more minutes, got {self.session_gap_minutes}")
        if self.funnel_window_hours < 1:
            raise UserError(f"the funnel window must be 1 hour or more, got {self.funnel_window_hours}")

    @property
    def window_seconds(self) -> int:
        return self.funnel_window_hours * 3600


DEFAULT_OPTIONS = MartOptions()
