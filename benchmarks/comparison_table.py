"""The comparison's results as a Markdown file, a learning-curve plot and a table on
the console."""

import io

from wasabi import msg

COLUMNS = ("f1", "precision", "recall", "train_s", "words_per_s", "share_of_limit")


def markdown_table(result: dict) -> str:
    """benchmarks/results/<corpus>.md: the systems side by side, then every speed."""
    lines = [
        f"# Benchmark: {result['corpus']}, budget {result['budget_s']:.0f} s",
        "",
        f"{result['date']}, {result['machine']}. fp32 matrix products: "
        f"{result['matmul_gflops']:.0f} GFLOP/s, so the transformer's limit is "
        f"{result['limit_words_per_s']:.0f} words/s "
        f"({result['pieces_per_word']:.2f} pieces a word). Recipe: "
        f"{result.get('recipe', 'see docs/benchmarks.md')}"
        + (
            f" (settings: {', '.join(result['ours_settings'])})"
            if result.get("ours_settings")
            else ""
        )
        + f". Running meanwhile: {result.get('also_running', 'not recorded')}.",
        "",
        "| system | F1 | P | R | train s | steps | words/s | share of limit | "
        "peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in result["systems"]:
        share = "–" if s["share_of_limit"] is None else f"{s['share_of_limit']:.2f}"
        lines.append(
            f"| {s['name']} | {s['f1']:.3f} | {s['precision']:.3f} | "
            f"{s['recall']:.3f} | {s['train_s']:.0f} | {s.get('steps', '–')} | "
            f"{s['words_per_s']:.0f} | {share} | {s['peak_rss_mb']:.0f} |"
        )
    lines += curve_lines(result)
    lines += ["", "Words/s per setting (the table shows each system's fastest):", ""]
    for s in result["systems"]:
        lines += speed_lines(s)
    return "\n".join(lines) + "\n"


def curve_lines(result: dict) -> list[str]:
    """Test F1 at the budget's checkpoints, one line a system (when measured)."""
    with_curve = [s for s in result["systems"] if s.get("curve")]
    if not with_curve:
        return []
    lines = [
        "",
        "Learning curves: test F1 after so many seconds of training (steps):",
        "",
    ]
    for s in with_curve:
        points = ", ".join(
            f"{p['train_s']:.0f} s ({p['steps']}): {p['f1']:.3f}" for p in s["curve"]
        )
        lines.append(f"- {s['name']}: {points}")
    return lines


def curve_png(result: dict) -> bytes | None:
    """Test F1 against training seconds, every system with a curve in one plot."""
    with_curve = [s for s in result["systems"] if s.get("curve")]
    if not with_curve:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axis = pyplot.subplots(figsize=(7, 4.5))
    for s in with_curve:
        seconds = [p["train_s"] for p in s["curve"]]
        axis.plot(seconds, [p["f1"] for p in s["curve"]], marker="o", label=s["name"])
    axis.set(
        title=f"{result['corpus']}: test F1 by training time "
        f"(budget {result['budget_s']:.0f} s)",
        xlabel="training seconds",
        ylabel="test F1",
        ylim=(0, 1),
    )
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    pyplot.close(figure)
    return buffer.getvalue()


def speed_lines(system: dict) -> list[str]:
    """A system's words/s at every setting, with ours's breakdown beneath."""
    speeds = ", ".join(f"{k}: {v:.0f}" for k, v in system["speeds"].items())
    lines = [f"- {system['name']}: {speeds}"]
    if "transformer_alone_words_per_s" in system:
        lines.append(
            "  - the transformer alone (no NER head), batch 64, sorted: "
            f"{system['transformer_alone_words_per_s']:.0f}"
        )
    for setting, factors in system.get("breakdown", {}).items():
        lines.append(
            f"  - pieces computed per piece of text, {setting}: overlap "
            f"×{factors['overlap_factor']}, padding ×{factors['padding_factor']}"
        )
    return lines


def print_table(rows: list[dict]) -> None:
    """The systems' scores, speed and peak memory on the console."""
    table = [
        (
            row["name"],
            *(
                "–"
                if row[c] is None
                else f"{row[c]:.3f}"
                if c not in ("train_s", "words_per_s")
                else f"{row[c]:.0f}"
                for c in COLUMNS
            ),
            f"{row['peak_rss_mb']:.0f}",
        )
        for row in rows
    ]
    msg.table(table, header=("system", *COLUMNS, "peak_rss_mb"), divider=True)
