import { describe, expect, it } from 'vitest';
import { createContext, percentile } from './report.ts';

describe('benchmark reporting', () => {
	it('prints one JSON line per figure with the ratio to its baseline', () => {
		const lines: string[] = [];
		const context = createContext('demo', true, [], (l) => lines.push(l));
		context.report({ figure: 'speed', value: 50, unit: 'MB/s', baseline: 'copy', baseline_value: 100 });
		expect(JSON.parse(lines[0]!)).toEqual({
			bench: 'demo',
			figure: 'speed',
			value: 50,
			unit: 'MB/s',
			baseline: 'copy',
			baseline_value: 100,
			ratio: 0.5
		});
	});

	it('takes nearest-rank percentiles', () => {
		expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
		expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
	});
});
