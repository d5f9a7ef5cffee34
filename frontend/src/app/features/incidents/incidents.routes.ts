import { Routes } from '@angular/router';

import { roleGuard } from '../../core/auth-guard';

// Viewers read; opening and editing incidents is for responders and admins (the API agrees).
export default [
  {
    path: '',
    title: 'Incidents',
    loadComponent: () => import('./incident-list').then((m) => m.IncidentList),
  },
  {
    path: 'new',
    title: 'New incident',
    canActivate: [roleGuard('responder', 'admin')],
    loadComponent: () => import('./incident-form').then((m) => m.IncidentForm),
  },
  {
    path: ':id',
    title: (route) => route.paramMap.get('id') ?? 'Incident',
    loadComponent: () => import('./incident-detail').then((m) => m.IncidentDetail),
  },
  {
    path: ':id/edit',
    title: (route) => `Edit ${route.paramMap.get('id') ?? 'incident'}`,
    canActivate: [roleGuard('responder', 'admin')],
    loadComponent: () => import('./incident-form').then((m) => m.IncidentForm),
  },
] satisfies Routes;
