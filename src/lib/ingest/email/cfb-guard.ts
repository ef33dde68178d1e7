/**
 * Checks a compound file's sector chains before @kenjiuno/msgreader walks them: msgreader follows a chain
 * until its end marker, so a crafted file whose chain loops back on itself would keep it reading forever
 * (a truncated or hostile `.msg`). Every chain of the FAT and of the mini FAT must end, inside the file.
 */

const END_OF_CHAIN = 0xfffffffe;
/** Values at or above this are markers (free, end of chain, FAT or DIFAT sector), not next sectors. */
const MARKERS = 0xfffffffa;

function u32(b: Uint8Array, at: number): number {
	return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Why a chain table is unusable, or undefined when every chain ends. */
function loopingChain(table: Uint32Array, limit: number): string | undefined {
	// 0: not seen, 1: on the walk now, 2: known to end.
	const state = new Uint8Array(table.length);
	for (let start = 0; start < table.length; start++) {
		if (state[start] !== 0) continue;
		const walk: number[] = [];
		let at = start;
		for (;;) {
			if (at >= MARKERS) break;
			if (at >= limit || at >= table.length) return `a chain points past the end of its table (sector ${at})`;
			if (state[at] === 2) break;
			if (state[at] === 1) return `a chain of sectors loops back on itself at sector ${at}`;
			state[at] = 1;
			walk.push(at);
			at = table[at]!;
		}
		for (const s of walk) state[s] = 2;
	}
	return undefined;
}

/** Throws with the reason when the compound file's chains cannot all be followed to their end. */
export function checkCompoundFile(bytes: Uint8Array): void {
	if (bytes.length < 512) throw new Error('The file is shorter than a compound file’s header.');
	const sectorSize = 2 ** ((bytes[0x1e]! | (bytes[0x1f]! << 8)) & 0xff);
	if (sectorSize !== 512 && sectorSize !== 4096) throw new Error('The compound file’s header is damaged.');
	const sectors = Math.ceil((bytes.length - sectorSize) / sectorSize);
	const fatSectors = u32(bytes, 0x2c);
	if (fatSectors > sectors) throw new Error('The compound file declares more FAT sectors than it has.');
	// The FAT's own sector numbers: 109 in the header, the rest in the DIFAT chain (bounded by its count).
	const fatAt: number[] = [];
	for (let i = 0; i < 109 && fatAt.length < fatSectors; i++) fatAt.push(u32(bytes, 0x4c + i * 4));
	let difat = u32(bytes, 0x44);
	const perSector = sectorSize / 4;
	for (let n = 0; n < u32(bytes, 0x48) && fatAt.length < fatSectors && difat < MARKERS; n++) {
		if (difat >= sectors) throw new Error('The compound file’s DIFAT points past its end.');
		const base = sectorSize + difat * sectorSize;
		for (let i = 0; i < perSector - 1 && fatAt.length < fatSectors; i++) fatAt.push(u32(bytes, base + i * 4));
		difat = u32(bytes, base + (perSector - 1) * 4);
	}
	const fat = new Uint32Array(fatAt.length * perSector);
	for (const [i, sector] of fatAt.entries()) {
		if (sector >= sectors) throw new Error('The compound file’s FAT points past its end.');
		const base = sectorSize + sector * sectorSize;
		for (let j = 0; j < perSector; j++)
			fat[i * perSector + j] = base + j * 4 + 4 <= bytes.length ? u32(bytes, base + j * 4) : END_OF_CHAIN;
	}
	// Writers may leave the last sector short of the file's end; only the table's own end is a hard limit.
	const bad = loopingChain(fat, fat.length);
	if (bad) throw new Error(`The compound file is damaged: ${bad}.`);
	// The mini FAT lives in a FAT chain (checked above); its own chains must end too.
	const miniStart = u32(bytes, 0x3c);
	const miniCount = u32(bytes, 0x40);
	const mini: number[] = [];
	for (let s = miniStart, n = 0; s < MARKERS && n < miniCount && s < sectors; s = fat[s] ?? END_OF_CHAIN, n++) {
		const base = sectorSize + s * sectorSize;
		for (let j = 0; j < perSector && base + j * 4 + 4 <= bytes.length; j++) mini.push(u32(bytes, base + j * 4));
	}
	const miniBad = loopingChain(Uint32Array.from(mini), mini.length);
	if (miniBad) throw new Error(`The compound file is damaged: in its mini FAT, ${miniBad}.`);
}
