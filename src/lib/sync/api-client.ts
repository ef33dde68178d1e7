import { ServerAddressError, SyncAuthError, SyncNetworkError, SyncServerError } from '../errors.ts';
import {
	ErrorBody,
	fileUrl,
	PROTOCOL_VERSION,
	PullResponse,
	PushResponse,
	type Mutation,
	type PullResponse as Pull,
	type PushResponse as Push
} from './protocol.ts';
import { z } from 'zod';

export interface SyncServer {
	/** The server's origin, e.g. `https://docket.firm.example`. */
	url: string;
	token: string;
}

/** The reason in a 401's body, when the server gave one. */
export async function authErrorOf(response: Response): Promise<SyncAuthError> {
	const parsed = ErrorBody.safeParse(await response.json().catch(() => undefined));
	return new SyncAuthError(parsed.success ? parsed.data.error.code : undefined);
}

const Health = z.object({ ok: z.literal(true), protocol: z.number() });

/** Normalises what a person types as the server address: a bare host gets https, no trailing slash. */
export function normaliseServerUrl(input: string): string {
	const text = input.trim();
	const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `https://${text}`;
	let url: URL;
	try {
		url = new URL(withScheme);
	} catch (error) {
		throw new ServerAddressError(`“${input}” is not a server address.`, {
			action: 'Enter the address your administrator gave you, like https://docket.example.com.',
			cause: error
		});
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		throw new ServerAddressError('The server address must start with https://.');
	return url.origin + url.pathname.replace(/\/+$/, '');
}

/** The sync server's JSON API. `fetch` is injectable so tests can run it against a real server or a fake. */
export class SyncApi {
	constructor(
		readonly server: SyncServer,
		private readonly fetcher: typeof fetch = (input, init) => fetch(input, init)
	) {}

	private async request(path: string, init: RequestInit = {}): Promise<unknown> {
		let response: Response;
		try {
			response = await this.fetcher(`${this.server.url}${path}`, {
				...init,
				headers: {
					...(init.body ? { 'content-type': 'application/json' } : {}),
					authorization: `Bearer ${this.server.token}`
				}
			});
		} catch (error) {
			throw new SyncNetworkError('The sync server could not be reached.', error);
		}
		if (response.status === 401 || response.status === 403) throw await authErrorOf(response);
		const body: unknown = await response.json().catch(() => undefined);
		if (!response.ok) {
			const parsed = ErrorBody.safeParse(body);
			throw new SyncServerError(
				parsed.success ? parsed.data.error.message : `The server answered ${response.status}.`,
				response.status
			);
		}
		return body;
	}

	/** Checks the server speaks our protocol and accepts the token. */
	async check(): Promise<void> {
		const health = Health.safeParse(await this.request('/api/v1/health'));
		if (!health.success) throw new SyncServerError('That address does not answer like a Docket server.', 200);
		if (health.data.protocol !== PROTOCOL_VERSION)
			throw new SyncServerError(
				`The server speaks sync protocol ${health.data.protocol}; this app speaks ${PROTOCOL_VERSION}. Update the older one.`,
				200
			);
		await this.pull(Number.MAX_SAFE_INTEGER, 1);
	}

	async push(clientId: string, mutations: Mutation[]): Promise<Push> {
		return PushResponse.parse(
			await this.request('/api/v1/push', { method: 'POST', body: JSON.stringify({ clientId, mutations }) })
		);
	}

	/**
	 * A document's original bytes, or the part `start..end` (inclusive) of them. Pulled documents arrive
	 * without their bytes; `downloads.ts` fetches them in parts so a broken connection costs one part.
	 */
	async downloadFile(
		documentId: string,
		range?: { start: number; end: number }
	): Promise<{ blob: Blob; total: number }> {
		let response: Response;
		try {
			response = await this.fetcher(`${this.server.url}${fileUrl(documentId)}`, {
				headers: {
					authorization: `Bearer ${this.server.token}`,
					...(range ? { range: `bytes=${range.start}-${range.end}` } : {})
				}
			});
		} catch (error) {
			throw new SyncNetworkError('The sync server could not be reached.', error);
		}
		if (response.status === 401 || response.status === 403) throw await authErrorOf(response);
		if (!response.ok)
			throw new SyncServerError(
				response.status === 404
					? 'The server has no file for this document yet.'
					: `The server answered ${response.status}.`,
				response.status
			);
		const contentRange = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
		const length = response.headers.get('content-length');
		let blob: Blob;
		try {
			blob = await response.blob();
		} catch (error) {
			throw new SyncNetworkError('The download broke off.', error);
		}
		// A server that ignores Range answers 200 with the whole file: the caller sees total === blob.size.
		const total =
			response.status === 206 && contentRange?.[1]
				? Number(contentRange[1])
				: length !== null
					? Number(length)
					: blob.size;
		return { blob, total };
	}

	async pull(since: number, limit?: number): Promise<Pull> {
		const query = new URLSearchParams({ since: String(since), ...(limit ? { limit: String(limit) } : {}) });
		return PullResponse.parse(await this.request(`/api/v1/pull?${query.toString()}`));
	}
}
