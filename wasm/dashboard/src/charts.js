// Chart.js, registered once with the parts the views use, and an error-bar plugin: a dataset's
// `errorBars` ([low, high] per point, null to skip) is drawn as whiskers on its bars or points.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController,
  LineElement, PointElement, ScatterController, Title, Tooltip,
} from "chart.js";

const errorBars = {
  id: "aequaErrorBars",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((ds, di) => {
      if (!ds.errorBars || !chart.isDatasetVisible(di)) return;
      const meta = chart.getDatasetMeta(di);
      const horizontal = chart.options.indexAxis === "y";
      const valueScale = horizontal ? chart.scales.x : chart.scales.y;
      ctx.save();
      ctx.strokeStyle = "#222";
      ctx.lineWidth = 1.5;
      meta.data.forEach((element, i) => {
        const bar = ds.errorBars[i];
        if (!bar || bar[0] === null || bar[1] === null) return;
        const lo = valueScale.getPixelForValue(bar[0]);
        const hi = valueScale.getPixelForValue(bar[1]);
        const at = horizontal ? element.y : element.x;
        const cap = 5;
        ctx.beginPath();
        if (horizontal) {
          ctx.moveTo(lo, at); ctx.lineTo(hi, at);
          ctx.moveTo(lo, at - cap); ctx.lineTo(lo, at + cap);
          ctx.moveTo(hi, at - cap); ctx.lineTo(hi, at + cap);
        } else {
          ctx.moveTo(at, lo); ctx.lineTo(at, hi);
          ctx.moveTo(at - cap, lo); ctx.lineTo(at + cap, lo);
          ctx.moveTo(at - cap, hi); ctx.lineTo(at + cap, hi);
        }
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

/** `options.plugins.aequaReference: {value, colour}`: a dashed line across the plot at value. */
const reference = {
  id: "aequaReference",
  afterDatasetsDraw(chart, _args, options) {
    if (options.value === null || options.value === undefined) return;
    const y = chart.scales.y.getPixelForValue(options.value);
    const { left, right } = chart.chartArea;
    const { ctx } = chart;
    ctx.save();
    ctx.strokeStyle = options.colour ?? "#E69F00";
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(right, y);
    ctx.stroke();
    ctx.restore();
  },
};

Chart.register(
  BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement,
  PointElement, ScatterController, Title, Tooltip, errorBars, reference,
);
Chart.defaults.animation = false;
Chart.defaults.font.family = "system-ui, sans-serif";

/** A chart in a new canvas inside `container`, replacing any chart already there. */
export function drawChart(container, config, label) {
  const old = container.querySelector("canvas");
  if (old) Chart.getChart(old)?.destroy();
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  container.replaceChildren(canvas);
  const chart = new Chart(canvas, config);
  // The chart behind a canvas, for the browser tests and pages that embed the dashboard.
  Object.defineProperty(canvas, "aequaChart", { value: chart, configurable: true });
  return chart;
}

export { Chart };
