// Render every .chart element with the ECharts option stored in its data-option attribute.
(function () {
  function render(root) {
    (root || document).querySelectorAll('.chart[data-option]').forEach(function (el) {
      if (el.dataset.rendered) return;
      var chart = echarts.init(el, null, {renderer: 'svg'});
      chart.setOption(JSON.parse(el.dataset.option));
      el.dataset.rendered = '1';
      window.addEventListener('resize', function () { chart.resize(); });
    });
  }
  document.addEventListener('DOMContentLoaded', function () { render(); });
  document.addEventListener('htmx:afterSwap', function (e) { render(e.target); });
})();
