import type { EntityManager } from 'typeorm';
import { Incident } from './incident.entity';
import { IncidentError, IncidentErrorCode } from './incident.errors';

const NUMBER = /^INC\d{7,}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The incident with this id or number (`INC0001234`, any case), read through `m` (a transaction's
 * manager when given one), locked for update when `lock`; INCIDENT_NOT_FOUND otherwise.
 */
export async function findIncident(m: EntityManager, idOrNumber: string, lock = false): Promise<Incident> {
  const where = UUID.test(idOrNumber)
    ? { id: idOrNumber }
    : NUMBER.test(idOrNumber)
      ? { number: idOrNumber.toUpperCase() }
      : null;
  const incident = where
    ? await m
        .getRepository(Incident)
        .findOne({ where, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
    : null;
  if (!incident) throw new IncidentError(IncidentErrorCode.NotFound, `No incident ${idOrNumber}`);
  return incident;
}
