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
  {
    path: 'event-sources',
    title: 'Event sources',
    loadComponent: () => import('./event-sources/event-source-list').then((m) => m.EventSourceList),
  },
  {
    path: 'event-sources/:id',
    title: 'Event source',
    loadComponent: () => import('./event-sources/event-source-detail').then((m) => m.EventSourceDetail),
  },
] satisfies Routes;
