import { Routes } from '@angular/router';

export default [
  {
    path: '',
    title: 'Analytics',
    loadComponent: () => import('./analytics-overview').then((m) => m.AnalyticsOverview),
  },
] satisfies Routes;
