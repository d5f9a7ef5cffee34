/**
 * Hands `text` to the browser as a download named `filename`. The CSV came through HttpClient
 * (the access token applies), so a plain link to the API cannot be used: it goes through a Blob.
 */
export function saveCsv(doc: Document, filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  doc.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked on the next turn: the click has started the download by then.
  setTimeout(() => {
    URL.revokeObjectURL(url);
  });
}

/** `nexecute-response-times_2026-11-01_2026-11-30_day_P1_Europe-Paris.csv`: what, when, how cut. */
export function csvFilename(path: string, params: Readonly<Record<string, string | number>>): string {
  const parts = [
    `nexecute-${path}`,
    params['from'],
    params['to'],
    params['bucket'],
    params['priority'] === undefined ? 'all' : `P${String(params['priority'])}`,
    params['tz'],
  ]
    .filter((p) => p !== undefined && p !== '')
    .map((p) =>
      String(p)
        .replace(/:\d{2}\.\d{3}Z$/, 'Z')
        .replace(/[^0-9A-Za-z-]+/g, '-'),
    );
  return `${parts.join('_')}.csv`;
}
