"""Fit a training run into a wall-clock budget.

Learning-rate schedules (warm-up, then linear decay to zero) must know the run's
length before it starts, so a budget cannot simply be a wall-clock stop: a run cut
off mid-schedule ends at a high learning rate. Each trainer therefore times a few
throwaway steps on real batches first, sizes `max_steps` (and the schedule) to the
budget from that, and keeps a deadline only as a guard against a slow patch of the
machine. The calibration steps are not part of the budget; their time is reported.
"""

import statistics
import time
from dataclasses import dataclass, field

# Steps timed at the start of calibration but left out of the mean: the first ones
# allocate memory and warm up caches.
WARMUP_STEPS = 2
# Part of the budget kept for what is not an update (dev scoring, saving).
BUDGET_MARGIN = 0.9


def steps_for_budget(step_seconds: float, budget_s: float, min_steps: int = 1) -> int:
    """Optimizer steps that fit in the budget at the measured time per step."""
    return max(min_steps, int(budget_s * BUDGET_MARGIN / max(step_seconds, 1e-6)))


def mean_step_seconds(durations: list[float]) -> float:
    """Mean step time without the warm-up steps (all of them if there are few)."""
    kept = durations[WARMUP_STEPS:] or durations
    return statistics.fmean(kept)


@dataclass
class Deadline:
    """A wall-clock guard: `passed()` once `seconds` have gone by since creation."""

    seconds: float
    start: float = field(default_factory=time.perf_counter)

    def passed(self) -> bool:
        return time.perf_counter() - self.start > self.seconds
