import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../src/lib/search/testing.ts';
import { main } from '../main.ts';
import { localModel } from './node-embedder.ts';
import { createSearchCommand, type SearchLine } from './search.ts';

const FIXTURE_MODEL = join(import.meta.dirname, '../../tests/fixtures/models/docket/tiny-embed');

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

let dir = '';
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'docket-search-'));
	await writeFile(
		join(dir, 'lease.txt'),
		'The tenant shall pay rent monthly to the landlord.\fThe landlord may terminate the lease after two missed payments.'
	);
	await writeFile(
		join(dir, 'causby.md'),
		'# Causby\n\nThe chickens died when the airplanes flew low over the Causby farm.'
	);
	await writeFile(join(dir, 'queries.txt'), 'landlord terminate\n\nCausbey chickens\n"pay rent"\n');
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('docket search', () => {
	it('gives each result the label printed on its page (and none where nothing is printed)', async () => {
		const pages = [
			'Exhibit list and the index of this bundle.\nvii',
			'The tenant shall pay rent monthly to the landlord.\n12',
			'The landlord may terminate the lease after two missed payments.\n13'
		];
		await writeFile(join(dir, 'bundle.txt'), pages.join('\f'));
		const { io, out } = capture();
		expect(await main(['search', '--docs', join(dir, 'bundle.txt'), '--query', 'terminate', '--json'], io)).toBe(0);
		const line = JSON.parse(out[0]!) as SearchLine;
		expect(line.results[0]).toMatchObject({ page: 3, label: '13' });
		expect(line.results[0]!.text).not.toMatch(/\b13\b/);
		const { io: io2, out: out2 } = capture();
		expect(await main(['search', '--docs', join(dir, 'lease.txt'), '--query', 'terminate', '--json'], io2)).toBe(0);
		expect(JSON.parse(out2[0]!) as SearchLine).toMatchObject({ results: [{ page: 2 }] });
		expect((JSON.parse(out2[0]!) as SearchLine).results[0]!.label).toBeUndefined();
	});

	it('indexes once and prints one JSON line per query with file, page, score and text', async () => {
		const { io, out, err } = capture();
		const code = await main(
			[
				'search',
				'--docs',
				join(dir, 'lease.txt'),
				join(dir, 'causby.md'),
				'--queries',
				join(dir, 'queries.txt'),
				'--k',
				'2',
				'--json'
			],
			io
		);
		expect(err).toEqual([]);
		expect(code).toBe(0);
		const lines = out.map((l) => JSON.parse(l) as SearchLine);
		expect(lines.map((l) => l.query)).toEqual(['landlord terminate', 'Causbey chickens', '"pay rent"']);
		expect(lines[0]!.results[0]).toMatchObject({ file: join(dir, 'lease.txt'), page: 2 });
		expect(Object.keys(lines[0]!.results[0]!).sort()).toEqual(['file', 'page', 'score', 'text']);
		expect(lines[0]!.results.length).toBeLessThanOrEqual(2);
		expect(lines[1]!.suggestion).toBe('Causby chickens');
		expect(lines[1]!.results[0]!.file).toBe(join(dir, 'causby.md'));
		expect(lines[2]!.results.map((r) => r.page)).toEqual([1]);
		expect('suggestion' in lines[0]!).toBe(false);
	});

	it('explains that semantic and hybrid modes need a model, and checks its arguments', async () => {
		const { io, err } = capture();
		expect(
			await main(['search', '--docs', join(dir, 'lease.txt'), '--query', 'rent', '--mode', 'semantic', '--json'], io)
		).toBe(1);
		expect(err.join('\n')).toMatch(/needs an embedding model/);
		expect(await main(['search', '--docs', join(dir, 'lease.txt'), '--json'], capture().io)).toBe(2);
		expect(await main(['search', '--query', 'x'], capture().io)).toBe(2);
		expect(
			await main(['search', '--docs', join(dir, 'lease.txt'), '--query', 'x', '--mode', 'fuzzy'], capture().io)
		).toBe(2);
	});

	it('runs hybrid mode with an embedder', async () => {
		const command = createSearchCommand(() => Promise.resolve(new HashingEmbedder(32)));
		const { io, out } = capture();
		expect(
			await command.run(['--docs', dir, '--query', 'airplanes chickens', '--mode', 'hybrid', '--k', '1', '--json'], io)
		).toBe(0);
		const line = JSON.parse(out[0]!) as SearchLine;
		expect(line.results).toHaveLength(1);
		expect(line.results[0]!.file).toBe(join(dir, 'causby.md'));
	});

	it('reads a local model folder in the hub layout, given as the repository or its resolve/main', () => {
		expect(localModel('/m/docket/tiny-embed')).toEqual({ base: '/m', repo: 'docket/tiny-embed' });
		expect(localModel('/m/docket/tiny-embed/resolve/main/')).toEqual({ base: '/m', repo: 'docket/tiny-embed' });
	});

	// The fixture model is random weights: this checks the wiring (load, embed, fuse), not retrieval quality.
	it('runs semantic and hybrid modes with --model on the fixture model, on the CPU', async () => {
		for (const mode of ['semantic', 'hybrid']) {
			const { io, out, err } = capture();
			expect(
				await main(
					[
						'search',
						'--docs',
						dir,
						'--query',
						'landlord rent',
						'--mode',
						mode,
						'--model',
						FIXTURE_MODEL,
						'--k',
						'3',
						'--json'
					],
					io
				)
			).toBe(0);
			expect(err).toEqual([]);
			const line = JSON.parse(out[0]!) as SearchLine;
			expect(line.results).toHaveLength(3);
			for (const r of line.results) expect(Number.isFinite(r.score)).toBe(true);
		}
	}, 60_000);

	it('says which model folder is missing', async () => {
		const { io, err } = capture();
		expect(
			await main(
				['search', '--docs', dir, '--query', 'x', '--mode', 'hybrid', '--model', join(dir, 'nothing/here')],
				io
			)
		).toBe(1);
		expect(err.join('\n')).toMatch(/No model in/);
	});
});
