import { TestBed } from '@angular/core/testing';

import { FigureTable, type FigureColumn, type FigureRow } from './figure-table';

describe('FigureTable', () => {
  function render(columns: readonly FigureColumn[], rows: readonly FigureRow[]): HTMLElement {
    const fixture = TestBed.createComponent(FigureTable);
    fixture.componentRef.setInput('caption', 'By priority, over the range');
    fixture.componentRef.setInput('columns', columns);
    fixture.componentRef.setInput('rows', rows);
    fixture.componentRef.setInput('describedBy', 'sla-title');
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  const texts = (cells: Iterable<Element>) => Array.from(cells, (c) => c.textContent.trim());

  it('names the table by its caption and heads its columns and rows', () => {
    const el = render(
      [{ header: 'Priority' }, { header: 'Met' }, { header: 'Met %' }],
      [{ key: 1, label: 'P1', cells: ['3', { text: '75 %', percent: 75 }] }],
    );
    const table = el.querySelector('table')!;
    expect(table.caption?.textContent.trim()).toBe('By priority, over the range');
    expect(table.getAttribute('aria-describedby')).toBe('sla-title');
    expect(texts(el.querySelectorAll('thead th[scope="col"]'))).toEqual(['Priority', 'Met', 'Met %']);
    expect(texts(el.querySelectorAll('tbody tr > *'))).toEqual(['P1', '3', '75 %']);
    expect(el.querySelector('tbody th')!.getAttribute('scope')).toBe('row');
  });

  it('draws a meter before a metered figure and a share bar under a row label, hidden from readers', () => {
    const el = render(
      [{ header: 'Source' }, { header: 'Opened' }, { header: 'Met %' }],
      [{ key: 'api', label: 'API', share: 40, cells: ['2', { text: '50 %', percent: 50 }] }],
    );
    const meter = el.querySelector<HTMLElement>('td .meter')!;
    expect(meter.getAttribute('aria-hidden')).toBe('true');
    expect(meter.querySelector<HTMLElement>('span')!.style.width).toBe('50%');
    expect(el.querySelectorAll('td .meter')).toHaveLength(1);
    const share = el.querySelector<HTMLElement>('th .share')!;
    expect(share.getAttribute('aria-hidden')).toBe('true');
    expect(share.querySelector<HTMLElement>('span')!.style.width).toBe('40%');
  });

  it("marks each cell with its column's series", () => {
    const el = render(
      [{ header: 'Period' }, { header: 'MTTA (h)', series: 'mtta' }, { header: 'Acknowledged' }],
      [{ key: '1 Nov', label: '1 Nov', cells: ['0.5', '3'] }],
    );
    const cells = el.querySelectorAll('tbody td');
    expect(cells[0]!.getAttribute('data-series')).toBe('mtta');
    expect(cells[1]!.hasAttribute('data-series')).toBe(false);
  });
});
