import { Routes } from '@angular/router';

export default [
  { path: '', pathMatch: 'full', redirectTo: 'users' },
  {
    path: 'users',
    title: 'Users',
    loadComponent: () => import('./users/user-list').then((m) => m.UserList),
  },
  {
    path: 'integrations',
    title: 'Integrations',
    loadComponent: () => import('./integrations/integration-settings').then((m) => m.IntegrationSettings),
  },
] satisfies Routes;
