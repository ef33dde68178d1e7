import type { DocketDatabase } from './database.ts';

export interface StorageReport {
	/** Bytes the origin uses, as the browser reports it. */
	usage: number | undefined;
	quota: number | undefined;
	/** Whether the browser promised not to evict Docket's data under storage pressure. */
	persisted: boolean | undefined;
}

export async function storageReport(): Promise<StorageReport> {
	const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
	const [estimate, persisted] = await Promise.all([
		storage?.estimate ? storage.estimate().catch(() => undefined) : undefined,
		storage?.persisted ? storage.persisted().catch(() => undefined) : undefined
	]);
	return { usage: estimate?.usage, quota: estimate?.quota, persisted };
}

/**
 * Asks the browser to keep Docket's data under storage pressure. Chrome grants it without a prompt to
 * installed or frequently used sites; a refusal is not an error, just a weaker promise.
 */
export async function requestPersistentStorage(): Promise<boolean> {
	if (typeof navigator === 'undefined' || !navigator.storage?.persist) return false;
	if (await navigator.storage.persisted()) return true;
	return navigator.storage.persist().catch(() => false);
}

export interface CaseStorage {
	caseId: string;
	/** Original files, each distinct file counted once per case. */
	fileBytes: number;
	/** Extracted text, chunks and vectors: an estimate of what IndexedDB holds for the case. */
	indexBytes: number;
}

/** Bytes used per case. Files shared by two cases count in both. */
export async function storageByCase(db: DocketDatabase): Promise<Map<string, CaseStorage>> {
	const result = new Map<string, CaseStorage>();
	const entry = (caseId: string): CaseStorage => {
		let e = result.get(caseId);
		if (!e) result.set(caseId, (e = { caseId, fileBytes: 0, indexBytes: 0 }));
		return e;
	};
	const fileSizes = new Map((await db.files.toArray()).map((f) => [f.sha256, f.size]));
	const seen = new Set<string>();
	const addFile = (caseId: string, sha256: string) => {
		const key = `${caseId}:${sha256}`;
		if (seen.has(key)) return;
		seen.add(key);
		entry(caseId).fileBytes += fileSizes.get(sha256) ?? 0;
	};
	for (const c of await db.cases.toArray()) entry(c.id);
	await db.documents.each((d) => addFile(d.caseId, d.sha256));
	await db.tensors.each((t) => addFile(t.caseId, t.sha256));
	// Two bytes per UTF-16 code unit is what the text costs in memory; on disk it is about the same.
	await db.pages.each((p) => (entry(p.caseId).indexBytes += p.text.length * 2));
	await db.chunks.each((c) => (entry(c.caseId).indexBytes += c.text.length * 2));
	await db.vectors.each((v) => (entry(v.caseId).indexBytes += v.vector.byteLength));
	return result;
}

export function formatBytes(bytes: number | undefined): string {
	if (bytes === undefined || !Number.isFinite(bytes)) return 'unknown';
	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
