import { provideEnvironmentInitializer } from '@angular/core';
import { Routes } from '@angular/router';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { provideCharts } from 'ng2-charts';

export default [
  {
    path: '',
    title: 'Analytics',
    // Only what the line and bar charts draw (docs: stack-notes), not withDefaultRegisterables();
    // provided here so Chart.js loads with this page, never with the console's first screen.
    providers: [
      provideCharts({
        registerables: [
          LineController,
          LineElement,
          PointElement,
          BarController,
          BarElement,
          CategoryScale,
          LinearScale,
          Legend,
          Tooltip,
        ],
      }),
      // `Chart.getChart(canvas)` (as with Chart.js's UMD build) lets the browser tests and anyone in
      // the devtools read what a chart actually drew; the ES module build keeps Chart to itself.
      provideEnvironmentInitializer(() => {
        (globalThis as { Chart?: typeof Chart }).Chart ??= Chart;
      }),
    ],
    loadComponent: () => import('./analytics-overview').then((m) => m.AnalyticsOverview),
  },
] satisfies Routes;
