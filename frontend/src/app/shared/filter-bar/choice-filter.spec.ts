import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';

import { choose, settle } from '../../../testing/incident-fixtures';
import { PRIORITY_CHOICES, type Priority } from '../incident-rules/priority';
import { ChoiceFilter } from './choice-filter';

describe('ChoiceFilter', () => {
  it('labels the field and gives the picks back in the choices’ order, not the clicks’', async () => {
    TestBed.configureTestingModule({
      providers: [{ provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
    const fixture = TestBed.createComponent(ChoiceFilter<Priority>);
    fixture.componentRef.setInput('label', 'Priority');
    fixture.componentRef.setInput('choices', PRIORITY_CHOICES);
    fixture.componentRef.setInput('selected', [3]);
    const picked: (readonly Priority[])[] = [];
    fixture.componentInstance.selected.subscribe((p) => picked.push(p));
    await settle();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('mat-label')!.textContent.trim()).toBe('Priority');

    await choose(element.querySelector('mat-select'), 'P1 Critical');
    expect(picked).toEqual([[1, 3]]);
  });
});
