/*
 * Draws a page's Plotly charts. The figures (Plotly data and layout) and the config come from
 * the page, as JSON in <script type="application/json" id="...-charts">: the
 * Content-Security-Policy forbids inline scripts. Once every figure is drawn,
 * <body data-plotted="yes"> tells a reader (or a browser test) the charts are ready. Used by
 * the risk analyst's, the radiation operator's and the integrity unit's pages.
 */
(function () {
  "use strict";

  function draw() {
    var sources = document.querySelectorAll('script[type="application/json"][id$="-charts"]');
    if (sources.length === 0 || typeof Plotly === "undefined") {
      return;
    }
    var drawing = [];
    sources.forEach(function (source) {
      var charts = JSON.parse(source.textContent);
      charts.figures.forEach(function (figure) {
        var element = document.getElementById(figure.element);
        if (element) {
          drawing.push(Plotly.newPlot(element, figure.data, figure.layout, charts.config));
        }
      });
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
