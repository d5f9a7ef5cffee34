import { ChangeDetectionStrategy, Component } from '@angular/core';

import { Shell } from './core/shell/shell';

@Component({
  selector: 'nx-root',
  imports: [Shell],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: '<nx-shell />',
})
export class App {}
