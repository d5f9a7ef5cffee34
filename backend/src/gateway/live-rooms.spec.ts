import { changedFields } from './live-incident-events';
import { isProblem, otherRoleRooms, parseRoomRequest } from './live-rooms';

describe('parseRoomRequest', () => {
  it('accepts the feed and an incident by uuid (lower-cased)', () => {
    expect(parseRoomRequest({ room: 'feed' })).toEqual({ room: 'feed' });
    expect(
      parseRoomRequest({ room: 'incident', incidentId: 'A0B1C2D3-0000-4000-8000-000000000001' }),
    ).toEqual({
      room: 'incident',
      incidentId: 'a0b1c2d3-0000-4000-8000-000000000001',
    });
  });

  it.each([
    null,
    'feed',
    [],
    { room: 'role:admin' },
    { room: 'incident' },
    { room: 'incident', incidentId: 'INC1' },
  ])('refuses %j as LIVE_MESSAGE_INVALID', (body) => {
    const parsed = parseRoomRequest(body);
    expect(isProblem(parsed) && parsed.code).toBe('LIVE_MESSAGE_INVALID');
  });
});

describe('otherRoleRooms', () => {
  it('names the role rooms a frame for these roles must exclude', () => {
    expect(otherRoleRooms(['admin'])).toEqual(['role:responder', 'role:viewer']);
    expect(otherRoleRooms(['admin', 'responder', 'viewer'])).toEqual([]);
  });
});

describe('changedFields', () => {
  it('names IncidentView fields: assignee for assigneeId, priority with impact or urgency', () => {
    expect(changedFields(['state', 'resolvedAt'])).toEqual(['state', 'resolvedAt']);
    expect(changedFields(['assigneeId', 'assignmentGroup'])).toEqual(['assignee', 'assignmentGroup']);
    expect(changedFields(['urgency'])).toEqual(['urgency', 'priority']);
  });
});
