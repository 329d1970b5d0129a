"""What a chart's marker and a table's mark say: the split chart's sides apart from a missing interval, ‡ on every
interval of no width, and why intervals are missing under --n-boot 0."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_report_polish import filled  # noqa: E402
from test_report_split import DAY  # noqa: E402

NAN = float("nan")


def test_the_split_chart_tells_a_side_from_a_side_without_an_interval():
    """"before" was drawn hollow, and so was a side without an interval: a hollow marker could be either. The side
    is now the marker's shape (square before, circle after), hollow only where there is no interval."""
    from classifier.report.split import SIDE_MARKERS, split_chart

    row = {"actor": "NATO", "n_before": 20, "n_after": 20, "changed": "cannot", "small": False}
    table = pd.DataFrame([row | {"outlet": "A", "net_before": 0.5, "net_before_lo": 0.3, "net_before_hi": 0.7,
                                 "net_after": -0.5, "net_after_lo": NAN, "net_after_hi": NAN},
                          row | {"outlet": "B", "net_before": 0.2, "net_before_lo": NAN, "net_before_hi": NAN,
                                 "net_after": 0.1, "net_after_lo": -0.1, "net_after_hi": 0.3}])
    axes = split_chart(table, "NATO", DAY).axes[0]
    points = {(line.get_marker(), float(line.get_xdata()[0])): filled(line) for line in axes.get_lines()
              if len(line.get_xdata()) == 1}
    before, after = SIDE_MARKERS["before"], SIDE_MARKERS["after"]
    assert before != after
    assert points == {(before, 0.5): True, (after, -0.5): False, (before, 0.2): False, (after, 0.1): True}
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend == [f"before {DAY}", "on or after", "hollow: no interval"]
    assert "hollow: fewer than 5 articles, no interval" in axes.get_xlabel()
    assert "square: before" in axes.get_xlabel() and "open: before" not in axes.get_xlabel()
