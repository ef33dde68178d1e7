import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { FIXTURE_DIR, fixturesPresent, loadFixtureTensor, maxAbsDiff } from '../../src/lib/tensor/fixtures.ts';
import { parseNpy } from '../../src/lib/tensor/npy.ts';

const dir = mkdtempSync(join(tmpdir(), 'docket-tensor-gpu-'));

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

// The scipy reference results live in ../shared/fixtures/tricubic, which a clone elsewhere does not have.
describe.skipIf(!fixturesPresent)(
	'docket tensor --backend webgpu (SwiftShader; skipped: ../shared fixtures missing)',
	() => {
		it('resamples a fixture on WebGPU and matches scipy', async () => {
			const out = join(dir, 'zoomed.npy');
			const { io, out: lines, err } = capture();
			const args = [
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
				'reflect'
			];
			expect(await main([...args, '--backend', 'webgpu'], io), err.join('\n')).toBe(0);
			expect((JSON.parse(lines[0]!) as { backend: string }).backend).toBe('webgpu');
			expect(
				maxAbsDiff(
					Float32Array.from(parseNpy(readFileSync(out)).data),
					loadFixtureTensor('s1-zoom-reflect-center.out.npy').data
				)
			).toBeLessThan(6.25e-4);
		});

		it('samples at coordinates on WebGPU and matches scipy', async () => {
			const out = join(dir, 'points.npy');
			const { io, err } = capture();
			const args = [
				'tensor',
				'sample',
				'--in',
				`${FIXTURE_DIR}s1-points-nearest.in.npy`,
				'--coords',
				`${FIXTURE_DIR}s1-points-nearest.coords.npy`
			];
			expect(await main([...args, '--out', out, '--mode', 'nearest', '--backend', 'webgpu'], io), err.join('\n')).toBe(
				0
			);
			expect(
				maxAbsDiff(
					Float32Array.from(parseNpy(readFileSync(out)).data),
					loadFixtureTensor('s1-points-nearest.out.npy').data
				)
			).toBeLessThan(6.35e-4);
		});
	}
);
