"""The ROC chart of an evaluation: one self-contained HTML file, plotly.js inlined.

The file is opened from disk, often on a machine without internet access (an alarm station),
so the chart library is written into it from the installed plotly package; nothing is fetched
from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from dostyk.radiation.evaluation import Evaluation


def roc_figure(evaluation: Evaluation) -> Any:
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            "Gamma: man-made sources against NORM loads",
            "Neutron: neutron sources against bulk loads with cosmic bursts",
        ),
    )
    for curve in evaluation.curves:
        column = 2 if curve.kind == "neutron" else 1
        figure.add_trace(
            go.Scatter(
                x=[p.nuisance for p in curve.points],
                y=[p.detection for p in curve.points],
                mode="lines+markers",
                name=curve.algorithm,
                text=[f"target false-alarm rate {p.rate:.1e}" for p in curve.points],
                hovertemplate="%{text}<br>nuisance %{x:.3f}<br>detection %{y:.3f}",
            ),
            row=1,
            col=column,
        )
    figure.update_xaxes(title_text="NORM nuisance-alarm rate", row=1, col=1)
    figure.update_xaxes(title_text="cosmic-burst nuisance-alarm rate", row=1, col=2)
    figure.update_yaxes(title_text="detection probability", range=[0, 1])
    figure.update_layout(title=f"Portal monitor alarm algorithms (seed {evaluation.seed})")
    return figure


def write_roc_html(evaluation: Evaluation, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    roc_figure(evaluation).write_html(str(path), include_plotlyjs=True, full_html=True)
