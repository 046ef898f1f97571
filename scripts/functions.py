"""Functions that the config registers; shipped inside the packaged pipeline (--code)."""

from thinc.api import registry, warmup_linear


@registry.schedules("ner_project.warmup_linear.v1")
def warmup_linear_fraction(
    initial_rate: float, warmup_fraction: float, total_steps: int
):
    """Linear warm-up then linear decay, with the warm-up a share of the run.

    The usual 250-step warm-up is sized for 20,000-step GPU runs; a short CPU run would
    spend most of its steps warming up. Tying both to `training.max_steps` keeps the
    shape whatever the budget.
    """
    warmup_steps = max(1, round(warmup_fraction * total_steps))
    return warmup_linear(initial_rate, warmup_steps, total_steps)
