import { Routes } from '@angular/router';

export default [
  { path: '', title: 'Live feed', loadComponent: () => import('./live-feed').then((m) => m.LiveFeed) },
] satisfies Routes;
