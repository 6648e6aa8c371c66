/*
 * Draws an alarm's counts profile. The figure (Plotly data and layout) and the config come from
 * the page, as JSON in <script type="application/json" id="radiation-charts">: the
 * Content-Security-Policy forbids inline scripts. Once drawn, <body data-plotted="yes"> tells a
 * reader (or a browser test) the chart is ready.
 */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("radiation-charts");
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
