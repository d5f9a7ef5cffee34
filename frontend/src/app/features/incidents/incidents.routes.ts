import { Routes } from '@angular/router';

export default [
  {
    path: '',
    title: 'Incidents',
    loadComponent: () => import('./incident-list').then((m) => m.IncidentList),
  },
] satisfies Routes;
