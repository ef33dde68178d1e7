import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letter, withThreeWordsChanged } from '../../src/lib/duplicates/testing.ts';
import { main } from '../main.ts';
import type { DuplicatesLine } from './duplicates.ts';

let dir = '';
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'docket-duplicates-'));
	const original = letter(21);
	await writeFile(join(dir, 'letter.txt'), original);
	await writeFile(join(dir, 'letter-copy.txt'), withThreeWordsChanged(original));
	await writeFile(join(dir, 'other.txt'), letter(22));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
	const out: string[] = [];
	const err: string[] = [];
	const code = await main(['duplicates', ...args], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
	return { code, out, err };
}

describe('docket duplicates', () => {
	it('groups a letter and its copy with three words changed, and not an unrelated letter', async () => {
		const { code, out, err } = await run('--docs', dir, '--json');
		expect(err).toEqual([]);
		expect(code).toBe(0);
		const groups = out.map((l) => JSON.parse(l) as DuplicatesLine);
		expect(groups).toHaveLength(1);
		expect(groups[0]!.files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['letter-copy.txt', 'letter.txt']);
		expect(groups[0]!.similarity).toBeGreaterThan(0.8);
		expect((await run('--docs', dir, '--threshold', '1', '--json')).out).toEqual([]);
	});

	it('refuses a threshold it cannot use', async () => {
		const { code, err } = await run('--docs', dir, '--threshold', '1.5');
		expect(code).not.toBe(0);
		expect(err.join('\n')).toContain('--threshold must be above 0 and at most 1');
	});
});
