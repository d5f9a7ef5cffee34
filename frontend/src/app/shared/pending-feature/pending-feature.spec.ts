import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';

import { PendingFeature } from './pending-feature';

@Component({
  imports: [PendingFeature],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<nx-pending-feature heading="No charts yet"
    >Charts arrive with the analytics API.</nx-pending-feature
  >`,
})
class Host {}

describe('PendingFeature', () => {
  it('shows its heading as a level-2 title and the projected explanation', async () => {
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('h2')?.textContent.trim()).toBe('No charts yet');
    expect(element.querySelector('mat-card-content p')?.textContent.trim()).toBe(
      'Charts arrive with the analytics API.',
    );
  });
});
