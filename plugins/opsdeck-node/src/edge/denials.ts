import type { Request } from 'express';

// Requests whose 403 has an audit event already (from audited() or the
// guard), so the guard's response hook does not record a second one.
const audited = new WeakSet<object>();

/** Notes that the request's denial has been audited. */
export function markDenialAudited(req: Request<any, any, any, any, any>) {
  audited.add(req);
}

/** True when the request's denial has been audited. */
export function denialAudited(req: Request<any, any, any, any, any>) {
  return audited.has(req);
}
