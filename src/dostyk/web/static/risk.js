/*
 * Draws the risk analyst's charts. The figures (Plotly data and layout) and the config come
 * from the page, as JSON in <script type="application/json" id="risk-charts">: the
 * Content-Security-Policy forbids inline scripts. Once every figure is drawn, <body data-plotted="yes"> tells a
 * reader (or a browser test) the charts are ready.
 */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("risk-charts");
    if (!source || typeof Plotly === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var drawing = charts.figures.map(function (figure) {
      var element = document.getElementById(figure.element);
      if (!element) {
        return Promise.resolve();
      }
      return Plotly.newPlot(element, figure.data, figure.layout, charts.config);
    });
    Promise.all(drawing).then(function () {
      document.body.setAttribute("data-plotted", "yes");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
