import { randomUUID } from 'node:crypto';

/**
 * This process's id among the instances on one database: background work it runs (tasks, import runs) carries it
 * with a heartbeat, so another instance, or this one's successor, can tell work of a dead process from live work.
 */
export const WORKER_ID = randomUUID();
