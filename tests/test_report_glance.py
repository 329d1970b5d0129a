"""Charts a reader takes in at a glance: whole outlet names, a heatmap's colours scaled to its data, and the time
charts' legends saying which outlets the trend test found rising or falling (a researcher's reading, h150)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from classifier.report.plots import LABEL_WIDTH, actor_intervals, label_texts, net_heatmap
from classifier.report.timeline import timeline_chart

WEEKEND = "The International Herald of Baltic and Eastern European Affairs (Weekend Edition)"  # 81 characters
DAILY = "The International Herald of Baltic and Eastern European Affairs (Daily Edition)"
CENTRAL = "The International Herald of Baltic and Central European Affairs (Weekend Edition)"  # WEEKEND's first 40


def framing(nets: dict[tuple[str, str], float]) -> pd.DataFrame:
    """A framing table of the cells (outlet, actor) -> net stance, 50 mentions each."""
    rows = [(outlet, actor, 50, 30, net, net - 0.1, net + 0.1) for (outlet, actor), net in nets.items()]
    frame = pd.DataFrame(rows, columns=["outlet", "actor", "n", "n_articles", "net", "net_lo", "net_hi"])
    return frame.assign(small=False)


def test_a_long_outlet_name_is_wrapped_onto_two_lines_and_keeps_its_end():
    """An 81-character name was cut to "The International Herald o…kend Edition)" on one line of 40."""
    chart = actor_intervals(framing({(WEEKEND, "X"): -0.2, (DAILY, "X"): 0.1, ("RT", "X"): 0.3}), "X")
    ticks = [tick.get_text() for tick in chart.axes[0].get_yticklabels()]
    long = [tick for tick in ticks if tick.startswith("The International Herald of")]
    assert len(long) == 2 and all(tick.count("\n") == 1 for tick in long)
    assert any(tick.endswith("(Weekend Edition) (n=50)") for tick in long)
    assert any(tick.endswith("(Daily Edition) (n=50)") for tick in long)
    assert all(len(line) <= LABEL_WIDTH for tick in long for line in tick.removesuffix(" (n=50)").split("\n"))
    assert "RT (n=50)" in ticks


def test_two_names_cut_alike_are_written_whole_so_that_they_stay_apart():
    """WEEKEND and CENTRAL share their first 40 characters and their end: both were "The International Herald
    o…kend Edition)"."""
    chart = net_heatmap(framing({(WEEKEND, "X"): -0.2, (CENTRAL, "X"): 0.1, ("RT", "X"): 0.3}))
    ticks = [tick.get_text() for tick in chart.axes[0].get_yticklabels()]
    assert len(set(ticks)) == 3
    assert any("Eastern" in tick for tick in ticks) and any("Central" in tick for tick in ticks)
    assert label_texts(["a  b", "a b"]) == {"a  b": "a  b", "a b": "a b"}
    assert len(set(label_texts(["x" * 100 + " a", "x" * 100 + "  a"]).values())) == 2  # alike but for spacing


def test_the_heatmap_colours_span_the_data_not_minus_one_to_one():
    """Colours ran from -1 to +1, so typical differences of ±0.25 showed as pale tints."""
    nets = {("A", "X"): 0.24, ("B", "X"): -0.1, ("A", "Y"): 0.05, ("B", "Y"): np.nan}
    chart = net_heatmap(framing(nets))
    image = chart.axes[0].get_images()[0]
    assert (image.norm.vmin, image.norm.vcenter, image.norm.vmax) == (-0.25, 0.0, 0.25)
    assert "from -0.25 to +0.25" in chart.axes[1].get_ylabel()  # the colour bar says its range
    for strongest, limit in ((0.3, 0.5), (-0.6, 0.75), (0.9, 1.0), (1.0, 1.0), (0.252, 0.25)):
        norm = net_heatmap(framing({**nets, ("B", "X"): strongest})).axes[0].get_images()[0].norm
        assert (norm.vmin, norm.vmax) == (-limit, limit)


def test_the_heatmap_says_what_its_rows_are_ordered_by():
    """"most favorable first" did not say over what: the rows go by their mean net stance over the actors shown."""
    chart = net_heatmap(framing({("A", "X"): 0.3, ("B", "X"): 0.1, ("A", "Y"): -0.4, ("B", "Y"): 0.0}))
    axes = chart.axes[0]
    assert [tick.get_text() for tick in axes.get_yticklabels()] == ["B", "A"]  # mean +0.05 above -0.05
    assert "mean net stance over the actors shown" in axes.get_ylabel()


def test_a_time_charts_legend_marks_the_outlets_the_trend_test_found_rising_or_falling():
    """The trend table said "rising"; the chart of the same cells did not."""
    periods = ["2021-01", "2021-02", "2021-03"]
    rows = [(outlet, period, 40, 12, net, net - 0.1, net + 0.1, trend)
            for outlet, trend, nets in (("A", "rising", (-0.3, 0.0, 0.3)), ("B", "falling", (0.3, 0.0, -0.3)),
                                        ("C", "no", (0.1, 0.1, 0.1)), ("D", "too few", (0.0, 0.1, 0.0)))
            for period, net in zip(periods, nets)]
    table = pd.DataFrame(rows, columns=["outlet", "period", "n", "n_articles", "net", "net_lo", "net_hi", "trend"])
    axes = timeline_chart(table.assign(actor="X", small=False), "X", "month").axes[0]
    entries = [text.get_text() for text in axes.get_legend().get_texts()]
    assert entries[:4] == ["A (rising)", "B (falling)", "C", "D"]
    assert "(rising) or (falling) in the legend: the trend table's verdict" in axes.get_xlabel()
    plain = timeline_chart(table.drop(columns="trend").assign(actor="X", small=False), "X", "month").axes[0]
    assert [text.get_text() for text in plain.get_legend().get_texts()][:4] == ["A", "B", "C", "D"]
    assert "trend" not in plain.get_xlabel()


def overlapping(figure) -> int:
    """How many of a chart's neighbouring outlet labels (its y ticks) overlap, as drawn."""
    figure.canvas.draw()
    boxes = [tick.get_window_extent(figure.canvas.get_renderer()) for tick in figure.axes[0].get_yticklabels()]
    return sum(a.overlaps(b) for a, b in zip(boxes, boxes[1:]))


def test_names_alike_but_in_their_middle_are_written_whole_without_overlapping_their_neighbours():
    """Names of 180 characters apart only in their 100th are written whole, over seven lines each: the dot and split
    charts gave every row the room of two lines, so neighbouring names were drawn over each other."""
    from classifier.report.split import split_chart
    from test_report_split import DAY

    names = [f"The {'very ' * 18}{word} {'long ' * 15}Edition" for word in ("alpha", "beta", "gamma")]
    assert all(label.count("\n") == 6 for label in label_texts(names).values())
    nets = {(name, "X"): net for name, net in zip(names + ["RT"], (0.2, -0.1, 0.0, 0.3))}
    assert overlapping(actor_intervals(framing(nets), "X")) == 0
    assert overlapping(net_heatmap(framing(nets))) == 0
    cells = framing(nets).rename(columns={"n": "n_before", "net": "net_before"}).assign(
        n_after=50, net_after=0.0, change=-0.1, p_holm=0.3, changed="no", **{
            f"net_{side}_{end}": np.nan for side in ("before", "after") for end in ("lo", "hi")})
    assert overlapping(split_chart(cells.assign(actor="X"), "X", DAY)) == 0


def test_a_heatmap_leaves_room_for_its_outlets_names_beside_its_cells():
    """A report of one actor whose outlets have long names (wrapped to lines of 30 characters): the heatmap was 4 in
    wide whatever the names, and its one column of cells was drawn 0.14 in wide beside them."""
    for nets in ({(WEEKEND, "X"): 0.1}, {(WEEKEND, "X"): 0.1, (DAILY, "X"): -0.2}, {("A" * 29, "X"): 0.1}):
        chart = net_heatmap(framing(nets))
        chart.canvas.draw()
        assert chart.axes[0].get_position().width * chart.get_size_inches()[0] > 1.0
