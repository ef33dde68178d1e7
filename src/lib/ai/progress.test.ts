import { describe, expect, it } from 'vitest';
import { TransformersProgress, formatBytes, fromWebLlmReport } from './progress.ts';

const MiB = 1024 * 1024;

describe('web-llm progress → bytes and percent', () => {
	it('reads megabytes and percent from the fetch sentence', () => {
		const p = fromWebLlmReport('m', {
			progress: 0.25,
			text: 'Fetching param cache[3/24]: 100MB fetched. 25% completed, 4 secs elapsed. It can take a while…'
		});
		expect(p).toMatchObject({
			modelId: 'm',
			phase: 'download',
			fraction: 0.25,
			loadedBytes: 100 * MiB,
			totalBytes: 400 * MiB
		});
		expect(p.text).toBe('Downloading 100 MB of 400 MB (25%)');
	});

	it('uses the expected size before any bytes arrive', () => {
		expect(fromWebLlmReport('m', { progress: 0, text: 'Start to fetch params' }, 270 * MiB)).toMatchObject({
			phase: 'download',
			loadedBytes: 0,
			totalBytes: 270 * MiB
		});
		expect(
			fromWebLlmReport('m', { progress: 0, text: 'Fetching param cache[0/24]: 0MB fetched. 0% completed' }, 5)
		).toMatchObject({ totalBytes: 5 });
	});

	it('tells loading from cache, preparing and ready apart', () => {
		expect(
			fromWebLlmReport('m', {
				progress: 0.5,
				text: 'Loading model from cache[12/24]: 150MB loaded. 50% completed, 1 secs elapsed.'
			})
		).toMatchObject({ phase: 'load', fraction: 0.5 });
		expect(
			fromWebLlmReport('m', { progress: 0.9, text: 'Loading GPU shader modules[40/45]: 90% completed' })
		).toMatchObject({ phase: 'load', fraction: 0.9 });
		expect(fromWebLlmReport('m', { progress: 1, text: 'Finish loading on WebGPU - nvidia' })).toMatchObject({
			phase: 'ready',
			fraction: 1
		});
		expect(fromWebLlmReport('m', { progress: Number.NaN, text: '?' }).fraction).toBe(0);
	});
});

describe('transformers.js progress', () => {
	it('sums files into one figure', () => {
		const t = new TransformersProgress('tiny');
		expect(t.update({ status: 'initiate', file: 'config.json' })).toBeUndefined();
		t.update({ status: 'progress', file: 'config.json', loaded: 100, total: 100 });
		const p = t.update({ status: 'progress', file: 'onnx/model.onnx', loaded: 100, total: 300 });
		expect(p).toMatchObject({ phase: 'download', loadedBytes: 200, totalBytes: 400, fraction: 0.5 });
		expect(t.update({ status: 'ready' })).toMatchObject({ phase: 'ready', fraction: 1 });
	});

	it('formats bytes', () => {
		expect([formatBytes(512), formatBytes(2048), formatBytes(5 * MiB), formatBytes(1.5 * 1024 * MiB)]).toEqual([
			'512 B',
			'2 kB',
			'5 MB',
			'1.5 GB'
		]);
	});
});
