/**
 * OCR speed and accuracy on generated scans: the pool (one engine per core) against a single
 * tesseract.js worker, and against Debian's `tesseract` command on the same images, in the same run.
 *
 *   npm run bench -- ocr [--json] [--pages N] [--dpi D]
 *
 * `tesseract` (Debian's tesseract-ocr, with OMP_THREAD_LIMIT=1 as the pool's engines are single-threaded)
 * is installed by the bench when missing and run as root; it is a yardstick, never a dependency.
 * It runs twice: with the very `best_int` English model tesseract.js reads (the engine-against-engine
 * figure), and with Debian's own `eng` data, a tessdata_fast network about a quarter of the size.
 * The images are what Docket's pipeline hands its engines: each scan drawn, as pdf.js draws a scanned
 * page, and taken as grey PGM (`src/lib/ocr/pgm.ts`); the native command reads the same files, and is
 * also timed on the scanner's JPEGs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { OcrPool, type OcrImage } from '../src/lib/ocr/engine.ts';
import { greyPgm } from '../src/lib/ocr/pgm.ts';
import { startNodeOcrEngine } from '../src/lib/ocr/tesseract.node.ts';
import { scanLines, wordAccuracy } from '../src/lib/ocr/testing/make-scan.ts';
import type { Bench } from './report.ts';

const WORDS =
	'agreement deposition witness exhibit counsel plaintiff defendant invoice shipment warehouse auditor objection record letter contract signed received payment breach notice'.split(
		' '
	);

function pageText(seed: number): string[] {
	let s = seed;
	const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
	return Array.from({ length: 24 }, () =>
		Array.from({ length: 10 }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ')
	);
}

function ensureTesseract(log: (line: string) => void): boolean {
	const has = () => spawnSync('tesseract', ['--version'], { stdio: 'ignore' }).status === 0;
	if (has()) return true;
	if (typeof process.getuid === 'function' && process.getuid() === 0) {
		log('installing tesseract-ocr from Debian for the baseline');
		spawnSync('apt-get', ['install', '-y', '-qq', 'tesseract-ocr', 'tesseract-ocr-eng'], {
			stdio: 'inherit',
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
		});
	}
	return has();
}

/** A scan as Docket hands it to OCR: drawn on a canvas (as pdf.js draws a scanned page), then grey PGM. */
async function asDrawn(jpeg: Uint8Array, width: number, height: number): Promise<OcrImage> {
	const canvas = createCanvas(width, height);
	const context = canvas.getContext('2d');
	context.drawImage(await loadImage(Buffer.from(jpeg)), 0, 0);
	return { bytes: greyPgm(context.getImageData(0, 0, width, height).data, width, height), width, height };
}

export const ocrBench: Bench = {
	name: 'ocr',
	summary: 'OCR seconds per page: the pool vs one tesseract.js worker vs Debian tesseract, with word accuracy',
	async run(context) {
		const { values } = parseArgs({
			args: context.args,
			options: { pages: { type: 'string', default: '6' }, dpi: { type: 'string', default: '300' } },
			strict: true
		});
		const pages = Math.max(2, Number(values.pages));
		const dpi = Number(values.dpi);
		const texts = Array.from({ length: pages }, (_, i) => pageText(i + 1));
		const scans = await Promise.all(texts.map((lines) => scanLines(lines, { dpi })));
		const images: OcrImage[] = await Promise.all(scans.map(async (s) => asDrawn(s.jpeg, s.width, s.height)));
		const accuracy = (read: string[]) =>
			read.reduce((sum, text, i) => sum + wordAccuracy(texts[i]!.join(' '), text.replace(/\s+/g, ' ')), 0) /
			read.length;

		const timePool = async (size: number) => {
			const pool = new OcrPool(startNodeOcrEngine, size);
			try {
				await Promise.all(Array.from({ length: size }, (_, i) => pool.read(images[i % images.length]!))); // warm
				const start = performance.now();
				const read = await Promise.all(images.map((image) => pool.read(image)));
				return { seconds: (performance.now() - start) / 1000 / pages, text: read.map((r) => r.text) };
			} finally {
				await pool.terminate();
			}
		};
		const size = Math.max(2, availableParallelism());
		const single = await timePool(1);
		const pooled = await timePool(size);
		context.log(
			`${pages} generated pages at ${dpi} dpi; pool of ${size}; accuracy: pool ${(accuracy(pooled.text) * 100).toFixed(1)} %, single ${(accuracy(single.text) * 100).toFixed(1)} %`
		);
		context.report({
			figure: `OCR pages/s, pool of ${size}`,
			value: 1 / pooled.seconds,
			unit: 'pages/s',
			baseline: 'one tesseract.js worker',
			baseline_value: 1 / single.seconds
		});
		context.report({
			figure: 'OCR word accuracy, pool',
			value: accuracy(pooled.text) * 100,
			unit: '%',
			baseline: 'one tesseract.js worker',
			baseline_value: accuracy(single.text) * 100
		});
		if (!ensureTesseract(context.log)) {
			context.log('Debian tesseract is missing and could not be installed: no native baseline');
			return;
		}
		const scratch = await mkdtemp(join(tmpdir(), 'docket-bench-ocr-'));
		try {
			const files: string[] = [];
			const jpegs: string[] = [];
			for (const [i, scan] of scans.entries()) {
				files.push(join(scratch, `p${i}.pgm`));
				await writeFile(files[i]!, images[i]!.bytes);
				jpegs.push(join(scratch, `p${i}.jpg`));
				await writeFile(jpegs[i]!, scan.jpeg);
			}
			// The same model as tesseract.js, unpacked where the native command can read it.
			const pkg = createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json');
			const model = await readFile(join(dirname(pkg), '4.0.0_best_int', 'eng.traineddata.gz'));
			await writeFile(join(scratch, 'eng.traineddata'), gunzipSync(model));
			const runNative = (dataArgs: string[], inputs = files) => {
				const read: string[] = [];
				const start = performance.now();
				for (const file of inputs) {
					const run = spawnSync(
						'tesseract',
						[file, 'stdout', ...dataArgs, '--oem', '1', '--psm', '3', '--dpi', String(dpi)],
						{ encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } }
					);
					read.push(run.stdout ?? '');
				}
				return { seconds: (performance.now() - start) / 1000 / pages, text: read };
			};
			const same = runNative(['--tessdata-dir', scratch]);
			const debian = runNative([]);
			const fromJpeg = runNative(['--tessdata-dir', scratch], jpegs);
			context.log(
				`native tesseract, best_int: ${same.seconds.toFixed(2)} s/page from the PGM pages, ${fromJpeg.seconds.toFixed(2)} s/page from the scanner's JPEGs`
			);
			context.report({
				figure: 'OCR seconds per page, one tesseract.js worker',
				value: single.seconds,
				unit: 's/page',
				baseline: 'Debian tesseract, one thread, same images and the same best_int model',
				baseline_value: same.seconds
			});
			context.report({
				figure: "OCR seconds per page, one tesseract.js worker (against Debian's smaller model)",
				value: single.seconds,
				unit: 's/page',
				baseline: "Debian tesseract, one thread, same images, Debian's tessdata_fast eng",
				baseline_value: debian.seconds
			});
			context.log(
				`native accuracy: best_int ${(accuracy(same.text) * 100).toFixed(1)} %, Debian's eng ${(accuracy(debian.text) * 100).toFixed(1)} %`
			);
		} finally {
			await rm(scratch, { recursive: true, force: true });
		}
	}
};
