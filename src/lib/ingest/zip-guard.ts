/**
 * Checks a ZIP container (a Word file) before any library unpacks it: its central directory's declared
 * sizes against the limits, then each part's real uncompressed size, counted while inflating and
 * discarded as it streams, against what it declared. A zip bomb is refused with the reason before it can
 * take memory; the unpacking library later sees only parts that were measured.
 */

export interface ZipLimits {
	maxEntries: number;
	maxTotalBytes: number;
	/** Uncompressed-to-compressed ratio of one part (counted only for parts over 1 MiB). */
	maxRatio: number;
}

export interface ZipEntry {
	name: string;
	method: number;
	compressedSize: number;
	size: number;
	localOffset: number;
}

/** Why a ZIP was refused: `bomb` (sizes over the limits, or lying), `damaged` (not a readable ZIP). */
export class ZipRefusal extends Error {
	readonly reason: 'bomb' | 'damaged';
	constructor(reason: 'bomb' | 'damaged', message: string) {
		super(message);
		this.name = 'ZipRefusal';
		this.reason = reason;
	}
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MIB = 1024 * 1024;

function u16(b: Uint8Array, at: number): number {
	return b[at]! | (b[at + 1]! << 8);
}
function u32(b: Uint8Array, at: number): number {
	return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** The central directory's entries; throws `ZipRefusal` for a ZIP it cannot walk or one over `maxEntries`. */
export function zipEntries(bytes: Uint8Array, maxEntries: number): ZipEntry[] {
	let eocd = -1;
	for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
		if (u32(bytes, at) === EOCD) {
			eocd = at;
			break;
		}
	}
	if (eocd < 0) throw new ZipRefusal('damaged', 'The file ends before its table of contents (it may be cut short).');
	const count = u16(bytes, eocd + 10);
	const offset = u32(bytes, eocd + 16);
	if (count === 0xffff || offset === 0xffffffff)
		throw new ZipRefusal('bomb', 'The file declares a ZIP64 archive, far larger than any Word document Docket opens.');
	if (count > maxEntries)
		throw new ZipRefusal('bomb', `The file holds ${count} parts; Docket opens at most ${maxEntries}.`);
	const entries: ZipEntry[] = [];
	let at = offset;
	for (let i = 0; i < count; i++) {
		if (at + 46 > bytes.length || u32(bytes, at) !== CENTRAL)
			throw new ZipRefusal('damaged', 'The file’s table of contents is damaged.');
		const nameLength = u16(bytes, at + 28);
		entries.push({
			method: u16(bytes, at + 10),
			compressedSize: u32(bytes, at + 20),
			size: u32(bytes, at + 24),
			localOffset: u32(bytes, at + 42),
			name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength))
		});
		at += 46 + nameLength + u16(bytes, at + 30) + u16(bytes, at + 32);
	}
	return entries;
}

/** Inflates `data` only to count it, stopping as soon as it passes `limit`; resolves the count (≤ limit + one chunk). */
async function inflatedSize(data: Uint8Array, limit: number): Promise<number> {
	const stream = new Blob([data as Uint8Array<ArrayBuffer>])
		.stream()
		.pipeThrough(new DecompressionStream('deflate-raw'));
	const reader = stream.getReader();
	let total = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) return total;
			total += value.byteLength;
			if (total > limit) {
				await reader.cancel();
				return total;
			}
		}
	} catch (error) {
		// A deflate stream that ends early still tells how much it held; only garbage is damage.
		if (total > 0) return total;
		throw new ZipRefusal(
			'damaged',
			`A part of the file is damaged (${error instanceof Error ? error.message : String(error)}).`
		);
	}
}

/** Refuses a ZIP whose parts are too many, too big, too compressed, or bigger than they declare. */
export async function checkZip(bytes: Uint8Array, limits: ZipLimits): Promise<ZipEntry[]> {
	const entries = zipEntries(bytes, limits.maxEntries);
	let declared = 0;
	for (const e of entries) {
		declared += e.size;
		if (declared > limits.maxTotalBytes)
			throw new ZipRefusal(
				'bomb',
				`The file unpacks to more than ${Math.round(limits.maxTotalBytes / MIB)} MiB, which no Word document needs: it may be a zip bomb.`
			);
		if (e.size > MIB && e.size > e.compressedSize * limits.maxRatio)
			throw new ZipRefusal(
				'bomb',
				`Its part ${e.name} is compressed ${Math.round(e.size / Math.max(1, e.compressedSize))} to 1, as zip bombs are.`
			);
	}
	for (const e of entries) {
		const at = e.localOffset;
		if (at + 30 > bytes.length || u32(bytes, at) !== LOCAL)
			throw new ZipRefusal('damaged', 'A part of the file is missing.');
		const start = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28);
		const data = bytes.subarray(start, Math.min(bytes.length, start + e.compressedSize));
		const actual = e.method === 0 ? data.byteLength : e.method === 8 ? await inflatedSize(data, e.size) : -1;
		if (actual < 0) throw new ZipRefusal('damaged', `Its part ${e.name} uses a compression Docket does not read.`);
		if (actual > e.size)
			throw new ZipRefusal(
				'bomb',
				`Its part ${e.name} unpacks to more than the ${e.size} bytes it declares: it may be a zip bomb.`
			);
	}
	return entries;
}

/**
 * One part's bytes, inflated: only for an entry `checkZip` measured, so its size is known and bounded;
 * inflating stops at the size it declared.
 */
export async function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
	const at = entry.localOffset;
	if (at + 30 > bytes.length || u32(bytes, at) !== LOCAL)
		throw new ZipRefusal('damaged', 'A part of the file is missing.');
	const start = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28);
	const data = bytes.subarray(start, Math.min(bytes.length, start + entry.compressedSize));
	if (entry.method === 0) return data;
	if (entry.method !== 8)
		throw new ZipRefusal('damaged', `Its part ${entry.name} uses a compression Docket does not read.`);
	const out = new Uint8Array(entry.size);
	let filled = 0;
	const reader = new Blob([data as Uint8Array<ArrayBuffer>])
		.stream()
		.pipeThrough(new DecompressionStream('deflate-raw'))
		.getReader();
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			const n = Math.min(value.byteLength, out.length - filled);
			out.set(value.subarray(0, n), filled);
			filled += n;
			if (filled >= out.length) {
				await reader.cancel();
				break;
			}
		}
	} catch (error) {
		// A part cut short still gives what it held (as `checkZip` counts it).
		if (filled === 0)
			throw new ZipRefusal(
				'damaged',
				`A part of the file is damaged (${error instanceof Error ? error.message : String(error)}).`
			);
	}
	return out.subarray(0, filled);
}
