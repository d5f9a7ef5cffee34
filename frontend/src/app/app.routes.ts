import { Routes } from '@angular/router';

// Every feature is lazy-loaded; each owns its routes in `features/<name>/<name>.routes.ts`.
export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'feed' },
  { path: 'feed', loadChildren: () => import('./features/feed/feed.routes') },
  { path: 'incidents', loadChildren: () => import('./features/incidents/incidents.routes') },
  { path: 'analytics', loadChildren: () => import('./features/analytics/analytics.routes') },
  { path: 'admin', loadChildren: () => import('./features/admin/admin.routes') },
  {
    path: '**',
    title: 'Page not found',
    loadComponent: () => import('./core/not-found/not-found').then((m) => m.NotFound),
  },
];
