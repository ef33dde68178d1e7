import { ServerAddressError, SyncAuthError, SyncNetworkError, SyncServerError } from '../errors.ts';
import {
	ErrorBody,
	fileUrl,
	PROTOCOL_VERSION,
	checkPulledRow,
	PullPage,
	PushResponse,
	type Mutation,
	type PullResponse as Pull,
	type PushResponse as Push
} from './protocol.ts';
import { z } from 'zod';
import { patientFetch, type Patience } from './rate-limit.ts';

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

/** A pulled change that did not fit the protocol: what it was, as far as it can be told, and why. */
export interface QuarantinedRow {
	table: string;
	id: string;
	seq: number;
	reason: string;
}

function describeRaw(change: unknown): Omit<QuarantinedRow, 'reason'> {
	const record: Record<string, unknown> =
		typeof change === 'object' && change !== null ? Object.fromEntries(Object.entries(change)) : {};
	const word = (value: unknown) => (typeof value === 'string' ? value.slice(0, 64) : '?');
	return {
		table: word(record['table']),
		id: word(record['id']),
		seq: typeof record['seq'] === 'number' ? record['seq'] : 0
	};
}

const Health = z.object({ ok: z.literal(true), protocol: z.number() });

/** Hosts on this machine, the only ones a token may travel to over plain http. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

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
	if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname))
		throw new ServerAddressError(
			`Docket will not send your access token to ${url.host} over http://: anyone on the network between you could read it and open every case. Use the server’s https:// address (http:// is only for localhost).`,
			{ action: 'Ask your administrator for the https:// address of the team server.' }
		);
	return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * The sync server's JSON API. `fetch` is injectable so tests can run it against a real server or a fake.
 * A request the server refuses for now (its rate limit) is sent again after the wait it names.
 */
export class SyncApi {
	private readonly fetcher: typeof fetch;

	constructor(
		readonly server: SyncServer,
		fetcher: typeof fetch = (input, init) => fetch(input, init),
		patience: Patience = {}
	) {
		this.fetcher = patientFetch(fetcher, patience);
	}

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
				response.status,
				parsed.success ? parsed.data.error.code : undefined
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
		// A one-change page from 0: any cursor past the server's latest change answers `cursor-ahead`.
		await this.pull(0, 1);
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

	/**
	 * A page of changes. Each change is checked against the protocol's row schemas on its own: one that does
	 * not fit (a teammate's malformed field) comes back in `quarantined` with the reason, never stored and
	 * never failing the page.
	 */
	async pull(
		since: number,
		limit?: number
	): Promise<Omit<Pull, 'epoch'> & { epoch: string | undefined; quarantined: QuarantinedRow[] }> {
		const query = new URLSearchParams({ since: String(since), ...(limit ? { limit: String(limit) } : {}) });
		const page = PullPage.parse(await this.request(`/api/v1/pull?${query.toString()}`));
		const changes: Pull['changes'] = [];
		const quarantined: QuarantinedRow[] = [];
		for (const change of page.changes) {
			const checked = checkPulledRow(change);
			if (checked.ok) changes.push(checked.row);
			else quarantined.push({ ...describeRaw(change), reason: checked.reason });
		}
		return { epoch: page.epoch, changes, checkpoint: page.checkpoint, hasMore: page.hasMore, quarantined };
	}
}
