import { Routes } from '@angular/router';

// Guarded by roleGuard('admin') in app.routes.ts; the API refuses other roles as well.
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
  {
    path: 'audit',
    title: 'Audit log',
    loadComponent: () => import('./audit/audit-log').then((m) => m.AuditLog),
  },
  {
    path: 'api-keys',
    title: 'API keys',
    loadComponent: () => import('./api-keys/api-key-list').then((m) => m.ApiKeyList),
  },
  {
    path: 'deliveries',
    title: 'Deliveries',
    loadComponent: () => import('./deliveries/delivery-list').then((m) => m.DeliveryList),
  },
] satisfies Routes;
