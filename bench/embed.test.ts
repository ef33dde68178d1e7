import { describe, expect, it } from 'vitest';
import { embedBench, syntheticPassages } from './embed.ts';
import { createContext } from './report.ts';

describe('embed bench', () => {
	it('uses the same passages every run', () => {
		expect(syntheticPassages(5)).toEqual(syntheticPassages(5));
		expect(new Set(syntheticPassages(20)).size).toBe(20);
		for (const p of syntheticPassages(20)) expect(p.split(' ').length).toBeGreaterThanOrEqual(40);
	});

	it('measures the fixture model on the CPU backend and reports beside its baseline', async () => {
		const lines: string[] = [];
		const context = createContext('embed', true, ['--chunks', '8', '--batch', '4', '--backends', 'cpu'], (l) =>
			lines.push(l)
		);
		await embedBench.run(context);
		expect(context.figures).toHaveLength(1);
		expect(context.figures[0]).toMatchObject({ bench: 'embed', unit: 'chunks/s', ratio: 1 });
		expect(context.figures[0]!.value).toBeGreaterThan(0);
		expect(JSON.parse(lines[0]!)).toMatchObject({ figure: 'cpu chunks/s (onnxruntime-node)' });
	});
});
