import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { FIXTURE_DIR, fixturesPresent, loadFixtureTensor, maxAbsDiff } from '../../src/lib/tensor/fixtures.ts';
import { encodeNpy, parseNpy } from '../../src/lib/tensor/npy.ts';

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'docket-tensor-'));

describe('docket tensor', () => {
	it.skipIf(!fixturesPresent)(
		'resamples a fixture on the CPU backend and matches scipy (skipped: ../shared fixtures missing)',
		async () => {
			const out = join(dir, 'zoomed.npy');
			const { io, out: lines } = capture();
			const code = await main(
				[
					'tensor',
					'resample',
					'--in',
					`${FIXTURE_DIR}s1-zoom-reflect-center.in.npy`,
					'--out',
					out,
					'--zoom',
					'1.75,0.75,2',
					'--grid-mode',
					'--mode',
					'reflect',
					'--backend',
					'cpu'
				],
				io
			);
			expect(code).toBe(0);
			const line = JSON.parse(lines[0]!) as { output_shape: number[]; backend: string };
			expect(line.output_shape).toEqual([2, 12, 7, 22]);
			expect(line.backend).toBe('cpu');
			const result = parseNpy(readFileSync(out));
			const expected = loadFixtureTensor('s1-zoom-reflect-center.out.npy');
			expect(maxAbsDiff(Float32Array.from(result.data), expected.data)).toBeLessThan(6.25e-4);
		}
	);

	it.skipIf(!fixturesPresent)('samples at coordinates (skipped: ../shared fixtures missing)', async () => {
		const out = join(dir, 'points.npy');
		const { io } = capture();
		const args = [
			'tensor',
			'sample',
			'--in',
			`${FIXTURE_DIR}s1-points-nearest.in.npy`,
			'--coords',
			`${FIXTURE_DIR}s1-points-nearest.coords.npy`
		];
		expect(await main([...args, '--out', out, '--mode', 'nearest', '--backend', 'cpu'], io)).toBe(0);
		const expected = loadFixtureTensor('s1-points-nearest.out.npy');
		expect(maxAbsDiff(Float32Array.from(parseNpy(readFileSync(out)).data), expected.data)).toBeLessThan(6.35e-4);
	});

	it('explains bad input and bad flags', async () => {
		const ints = join(dir, 'ints.npy');
		const bytes = encodeNpy({ shape: [1, 2, 2, 2], data: new Float32Array(8) });
		const descr = Buffer.from(bytes).indexOf("'<f4'");
		bytes.set(new TextEncoder().encode("'<i4'"), descr);
		writeFileSync(ints, bytes);
		const bad = capture();
		expect(
			await main(
				['tensor', 'resample', '--in', ints, '--out', join(dir, 'x.npy'), '--zoom', '2,2,2', '--backend', 'cpu'],
				bad.io
			)
		).toBe(1);
		expect(bad.err.join('\n')).toMatch(/32-bit integers.*np\.save/);
		const flags = capture();
		expect(await main(['tensor', 'resample', '--in', ints, '--out', 'x', '--zoom', '2,2'], flags.io)).toBe(2);
		expect(flags.err.join('\n')).toMatch(/--zoom takes three/);
		const mode = capture();
		expect(
			await main(['tensor', 'resample', '--in', ints, '--out', 'x', '--zoom', '2,2,2', '--mode', 'wrap'], mode.io)
		).toBe(2);
		expect(mode.err.join('\n')).toMatch(/--mode must be one of/);
	});
});
