import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, fractionProgress, Progress } from './progress.ts';

function sink(isTTY: boolean) {
	const out: string[] = [];
	return { out, sink: { isTTY, write: (t: string) => void out.push(t) } };
}

describe('CLI progress', () => {
	it('on a terminal, redraws one line with files, pages, bytes, rate and time left', () => {
		let now = 0;
		const { out, sink: s } = sink(true);
		const progress = new Progress(s, 'docket ingest', { files: 4, bytes: 4 * 1024 * 1024 }, () => now);
		now = 1000;
		progress.fileDone('a.pdf', 1024 * 1024, 10, 'indexed');
		expect(out.at(-1)).toBe(
			'\rdocket ingest: 1/4 files · 10 pages · 1.0 MB of 4.0 MB · 1.0 MB/s · 1.0 files/s · 0:03 left\x1b[K'
		);
		now = 1100;
		progress.pages('b.pdf', 5); // within 200 ms of the last draw: not drawn
		expect(out).toHaveLength(1);
		progress.finish();
		expect(out.at(-2)).toContain('15 pages');
		expect(out.at(-1)).toBe('\n');
	});

	it('elsewhere, writes one line per finished file and nothing for pages', () => {
		const { out, sink: s } = sink(false);
		const progress = new Progress(s, 'docket ingest', { files: 2, bytes: 2048 });
		progress.pages('a.pdf', 3);
		progress.fileDone('a.pdf', 1024, 3, 'indexed');
		progress.fileDone('b.pdf', 1024, 0, 'skipped (on the server)');
		progress.finish();
		expect(out).toEqual([
			'docket ingest [1/2] indexed · 3 pages · 1.0 KB · a.pdf\n',
			'docket ingest [2/2] skipped (on the server) · 0 pages · 1.0 KB · b.pdf\n'
		]);
	});

	it('shows a fraction as a line per tenth when not on a terminal', () => {
		const { out, sink: s } = sink(false);
		const p = fractionProgress(s, 'docket tensor resample', () => 0);
		for (let i = 0; i <= 100; i++) p.update(i / 100);
		p.finish();
		expect(out).toHaveLength(11);
		expect(out[5]).toMatch(/^docket tensor resample: 50% /);
	});

	it('formats sizes and durations', () => {
		expect(formatBytes(512)).toBe('512 B');
		expect(formatBytes(1536 * 1024 * 1024)).toBe('1.5 GB');
		expect(formatDuration(3725)).toBe('1:02:05');
		expect(formatDuration(Number.NaN)).toBe('–');
	});
});
