import { LiveEventReaders } from './live-event-readers';

describe('LiveEventReaders', () => {
  const readers = new LiveEventReaders()
    .allow(['incident.created', 'incident.commented'], ['viewer', 'responder', 'admin'])
    .allow(['delivery.dead'], ['admin']);

  it('names the roles that receive a declared type', () => {
    expect(readers.rolesFor('incident.created')).toEqual(['viewer', 'responder', 'admin']);
    expect(readers.rolesFor('delivery.dead')).toEqual(['admin']);
  });

  it('sends an undeclared type to nobody', () => {
    expect(readers.rolesFor('incident.secret')).toEqual([]);
    expect(readers.readableBy('admin')).not.toContain('incident.secret');
  });

  it('lists what each role reads', () => {
    expect(readers.readableBy('viewer')).toEqual(['incident.created', 'incident.commented']);
    expect(readers.readableBy('admin')).toEqual(['incident.created', 'incident.commented', 'delivery.dead']);
  });

  it('refuses to declare a type twice or with no reader', () => {
    expect(() => readers.allow(['delivery.dead'], ['viewer'])).toThrow(/already declared/);
    expect(() => new LiveEventReaders().allow(['x.y'], [])).toThrow(/at least one reader/);
  });
});
