"""Fit a training run into a wall-clock budget, the same way for every system.

The learning rate follows the share of the budget spent, not a step count sized in
advance: warm-up over the first `warmup` share, then linear decay to zero exactly at
the deadline, where the run stops. A system that steps faster takes more steps; none
ends early with budget left or is cut off at a high rate mid-schedule.

On the way, the model is saved at fixed shares of the budget (`CURVE_SHARES`), so one
run gives a learning curve. The clock stops while a checkpoint is written: saving is
not training.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Shares of the budget at which a checkpoint is saved; the last is the final model.
CURVE_SHARES = (0.125, 0.25, 0.5, 1.0)


def warmup_linear_factor(share: float, warmup: float) -> float:
    """The share of the peak rate at `share` of the budget: linear warm-up over the
    first `warmup`, then linear decay to 0 at the end."""
    share = min(max(share, 0.0), 1.0)
    if share < warmup:
        return share / warmup
    return max(0.0, (1.0 - share) / max(1e-9, 1.0 - warmup))


@dataclass
class BudgetClock:
    """Training seconds spent, from the first `start()`, less the paused time."""

    budget_s: float
    started: float | None = None
    paused_s: float = 0.0

    def start(self) -> None:
        if self.started is None:
            self.started = time.perf_counter()

    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return time.perf_counter() - self.started - self.paused_s

    def share(self) -> float:
        return self.elapsed() / self.budget_s

    def spent(self) -> bool:
        return self.share() >= 1.0

    @contextmanager
    def paused(self) -> Iterator[None]:
        begun = time.perf_counter()
        try:
            yield
        finally:
            self.paused_s += time.perf_counter() - begun


@dataclass
class Checkpoints:
    """Saves the model once as each share of `CURVE_SHARES` (but the last) passes,
    into `folder/share-<share>`, with the clock paused; notes each one's seconds."""

    clock: BudgetClock
    folder: Path
    saved: list[dict] = field(default_factory=list)

    def due(self) -> list[float]:
        done = {point["share"] for point in self.saved}
        share = self.clock.share()
        return [s for s in CURVE_SHARES[:-1] if s <= share and s not in done]

    def save_due(self, steps: int, save: Callable[[Path], None]) -> None:
        """Call `save(folder)` for each share passed since the last call."""
        for share in self.due():
            train_s = self.clock.elapsed()
            path = self.folder / f"share-{share}"
            with self.clock.paused():
                save(path)
            self.saved.append(
                {
                    "share": share,
                    "train_s": round(train_s, 1),
                    "steps": steps,
                    "model": str(path),
                }
            )
