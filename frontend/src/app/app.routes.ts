import { Routes } from '@angular/router';

import { authGuard, roleGuard, signedOutGuard } from './core/auth-guard';
import { Shell } from './core/shell/shell';

// Every page is lazy-loaded; each feature owns its routes in `features/<name>/<name>.routes.ts`.
// The login page stands alone; everything else is inside the shell (toolbar and navigation) and
// needs a signed-in user, checked again on every navigation (`canActivateChild`).
export const routes: Routes = [
  {
    path: 'login',
    title: 'Sign in',
    canActivate: [signedOutGuard],
    loadComponent: () => import('./features/login/login-page').then((m) => m.LoginPage),
  },
  {
    path: '',
    component: Shell,
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'feed' },
      { path: 'feed', loadChildren: () => import('./features/feed/feed.routes') },
      { path: 'incidents', loadChildren: () => import('./features/incidents/incidents.routes') },
      { path: 'analytics', loadChildren: () => import('./features/analytics/analytics.routes') },
      {
        path: 'profile',
        title: 'Profile',
        loadComponent: () => import('./features/profile/profile-page').then((m) => m.ProfilePage),
      },
      {
        path: 'admin',
        canActivate: [roleGuard('admin')],
        loadChildren: () => import('./features/admin/admin.routes'),
      },
      {
        path: 'access-denied',
        title: 'Access denied',
        loadComponent: () => import('./core/access-denied/access-denied').then((m) => m.AccessDenied),
      },
      {
        path: '**',
        title: 'Page not found',
        loadComponent: () => import('./core/not-found/not-found').then((m) => m.NotFound),
      },
    ],
  },
];
