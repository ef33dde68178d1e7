import { describe, expect, it } from 'vitest';
import { OcrUnavailableError } from '../errors.ts';
import { OcrPool } from '../ocr/engine.ts';
import { decodeImageNode, renderPageNode } from '../ocr/render.node.ts';
import { makeImagePdf, makeMixedPdf, scanLines } from '../ocr/testing/make-scan.ts';
import { ingestBytes, reportOf } from './ingest-file.node.ts';

describe('docket ingest when the OCR engine cannot start', () => {
	// The engine failing says nothing about the file: no file is called damaged, and each line says why.
	const broken = () => ({
		pool: new OcrPool(() => Promise.reject(new OcrUnavailableError('no engine in this test')), 2),
		render: renderPageNode,
		decode: decodeImageNode
	});

	it('keeps a text PDF’s text layer and a scan without text, each with the reason', async () => {
		const exhibit = await scanLines(['Exhibit'], { dpi: 30 });
		const brief = makeMixedPdf([{ lines: ['Brief with an exhibit below.'], scan: exhibit, rect: [0, 0, 612, 500] }]);
		const text = reportOf(await ingestBytes('brief.pdf', brief, 'a', { ocr: broken() }), true);
		expect(text).toMatchObject({ status: 'indexed', chunks: 1, ocrPages: 0 });
		expect(text.ocrError).toMatch(/could not start: no engine in this test/);

		const scan = reportOf(await ingestBytes('scan.pdf', makeImagePdf([exhibit]), 'b', { ocr: broken() }), true);
		expect(scan).toMatchObject({ status: 'no-text', ocrPages: 0 });
		expect(scan.ocrError).toMatch(/could not start/);
	});
});
