/**
 * The sync protocol, shared by the app and the server: versions, request and response shapes.
 * Both sides import this one module, so they cannot drift apart.
 */

/** Bumped when a change would break older clients; the server reports it at /api/v1/health. */
export const PROTOCOL_VERSION = 1;

export interface HealthResponse {
	ok: true;
	protocol: number;
}
