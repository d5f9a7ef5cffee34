import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, ElementRef, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatIconButton } from '@angular/material/button';
import { MatListItem, MatListItemIcon, MatListItemTitle, MatNavList } from '@angular/material/list';
import { MatSidenav, MatSidenavContainer, MatSidenavContent } from '@angular/material/sidenav';
import { MatToolbar } from '@angular/material/toolbar';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';

import { Icon, IconName } from '../../shared/icon/icon';
import { PRODUCT_NAME } from '../page-title-strategy';
import { Session } from '../session/session';
import { Role } from '../session/user';
import { ApiStatus } from './api-status';
import { LiveStatus } from './live-status';
import { ThemeToggle } from './theme-toggle';
import { UserMenu } from './user-menu';

/** At or below this width the navigation becomes an overlay drawer. */
export const HANDSET_QUERY = '(max-width: 768px)';

interface NavLink {
  readonly path: string;
  readonly label: string;
  readonly icon: IconName;
}

interface NavSection {
  readonly heading?: string;
  /** Only these roles see the section (the routes' guards and the API enforce it too). */
  readonly roles?: readonly Role[];
  readonly links: readonly NavLink[];
}

const NAVIGATION: readonly NavSection[] = [
  {
    links: [
      { path: '/feed', label: 'Live feed', icon: 'dynamic-feed' },
      { path: '/incidents', label: 'Incidents', icon: 'report' },
      { path: '/analytics', label: 'Analytics', icon: 'analytics' },
    ],
  },
  {
    heading: 'Admin',
    roles: ['admin'],
    links: [
      { path: '/admin/users', label: 'Users', icon: 'group' },
      { path: '/admin/integrations', label: 'Integrations', icon: 'hub' },
      { path: '/admin/audit', label: 'Audit log', icon: 'history' },
      { path: '/admin/api-keys', label: 'API keys', icon: 'key' },
      { path: '/admin/deliveries', label: 'Deliveries', icon: 'send' },
      { path: '/admin/event-sources', label: 'Event sources', icon: 'inbox' },
    ],
  },
];

@Component({
  selector: 'nx-shell',
  imports: [
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    MatToolbar,
    MatIconButton,
    MatSidenav,
    MatSidenavContainer,
    MatSidenavContent,
    MatNavList,
    MatListItem,
    MatListItemIcon,
    MatListItemTitle,
    Icon,
    ApiStatus,
    LiveStatus,
    ThemeToggle,
    UserMenu,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
})
export class Shell {
  protected readonly productName = PRODUCT_NAME;
  private readonly session = inject(Session);
  protected readonly user = this.session.user;
  protected readonly navigation = computed(() =>
    NAVIGATION.filter((section) => !section.roles || this.session.hasRole(...section.roles)),
  );

  private readonly breakpoints = inject(BreakpointObserver);
  protected readonly isHandset = toSignal(
    this.breakpoints.observe(HANDSET_QUERY).pipe(map((state) => state.matches)),
    { initialValue: this.breakpoints.isMatched(HANDSET_QUERY) },
  );
  protected readonly sidenavMode = computed(() => (this.isHandset() ? 'over' : 'side'));

  private readonly sidenav = viewChild.required(MatSidenav);
  private readonly main = viewChild.required<ElementRef<HTMLElement>>('main');

  /** In-page jump without letting `<base href>` turn `#main-content` into a navigation to `/`. */
  protected skipToContent(event: Event): void {
    event.preventDefault();
    this.main().nativeElement.focus();
  }

  /** The handset menu button opens the drawer, and closes it again while it is open. */
  protected toggleNavigation(): void {
    void this.sidenav().toggle();
  }

  /** Closing moves focus back to the menu button when it was inside the drawer (MatDrawer does this). */
  protected closeNavigation(): void {
    void this.sidenav().close();
  }

  protected closeNavigationOnHandset(): void {
    if (this.isHandset()) {
      this.closeNavigation();
    }
  }
}
