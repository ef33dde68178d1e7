/**
 * Writes small, valid PDFs for tests and benchmarks (a 2,000-page file, a 20 MB one) so that no large
 * file is committed. Text uses the standard Helvetica font, not embedded, which also checks that pdf.js
 * gets its standard font data from the app rather than the network.
 */
export interface MakePdfOptions {
	pages: number;
	/** The text lines of page n (1-based). Default: "Page n of N." and a sentence naming the page. */
	lines?: (page: number) => string[];
	/** A running header of page n, drawn at the top of the page before its lines (none when undefined). */
	header?: (page: number) => string | undefined;
	/** A footer (page number, Bates stamp) of page n, drawn at the bottom after its lines. */
	footer?: (page: number) => string | undefined;
	/** The catalog's `/PageLabels` number tree, as PDF source, e.g. `<< /Nums [0 << /S /r >> 4 << /S /D >>] >>`. */
	pageLabels?: string;
	/** Adds an uncompressed image of about this many bytes to every page, to make big files. */
	imageBytesPerPage?: number;
	/** Encrypts the file (see `pdf-encryption.ts`, Node only) so it opens only with a password. */
	security?: { dictionary: string; id: string; encryptStream(bytes: Uint8Array): Uint8Array };
}

function escapePdfString(text: string): string {
	return text.replace(/[\\()]/g, (c) => `\\${c}`);
}

export function defaultLines(page: number, pages: number): string[] {
	return [`Page ${page} of ${pages}.`, `This generated page number ${page} tells the tale of exhibit ${page * 7}.`];
}

export function makePdf({
	pages,
	lines,
	header,
	footer,
	pageLabels,
	imageBytesPerPage = 0,
	security
}: MakePdfOptions): Uint8Array<ArrayBuffer> {
	const chunks: string[] = [];
	const offsets: number[] = [];
	let length = 0;
	const write = (s: string) => {
		chunks.push(s);
		length += s.length;
	};
	const object = (id: number, body: string) => {
		offsets[id] = length;
		write(`${id} 0 obj\n${body}\nendobj\n`);
	};

	// 1 catalog, 2 page tree, 3 font; then per page: page, content[, image].
	const perPage = imageBytesPerPage > 0 ? 3 : 2;
	const pageId = (n: number) => 4 + (n - 1) * perPage;
	write('%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n');
	object(1, `<< /Type /Catalog /Pages 2 0 R${pageLabels ? ` /PageLabels ${pageLabels}` : ''} >>`);
	const kids = Array.from({ length: pages }, (_, i) => `${pageId(i + 1)} 0 R`).join(' ');
	object(2, `<< /Type /Pages /Count ${pages} /Kids [${kids}] >>`);
	object(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');

	const side = Math.max(1, Math.ceil(Math.sqrt(imageBytesPerPage / 3)));
	const pixels = imageBytesPerPage > 0 ? patternPixels(side) : '';
	for (let n = 1; n <= pages; n++) {
		const id = pageId(n);
		const text = (lines ?? ((p) => defaultLines(p, pages)))(n);
		const top = header?.(n);
		const bottom = footer?.(n);
		let content = top === undefined ? '' : `BT /F1 9 Tf 72 760 Td (${escapePdfString(top)}) Tj ET\n`;
		content += 'BT /F1 12 Tf 72 720 Td 14 TL\n';
		for (const line of text) content += `(${escapePdfString(line)}) Tj T*\n`;
		content += 'ET\n';
		if (bottom !== undefined) content += `BT /F1 9 Tf 300 40 Td (${escapePdfString(bottom)}) Tj ET\n`;
		if (imageBytesPerPage > 0) content += `q 200 0 0 200 72 400 cm /Im1 Do Q\n`;
		const resources =
			imageBytesPerPage > 0
				? `<< /Font << /F1 3 0 R >> /XObject << /Im1 ${id + 2} 0 R >> >>`
				: '<< /Font << /F1 3 0 R >> >>';
		object(
			id,
			`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources ${resources} /Contents ${id + 1} 0 R >>`
		);
		const stream = security ? latin1(security.encryptStream(bytesOf(content))) : content;
		object(id + 1, `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
		if (imageBytesPerPage > 0) {
			const image = security ? latin1(security.encryptStream(bytesOf(pixels))) : pixels;
			object(
				id + 2,
				`<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${image.length} >>\nstream\n${image}\nendstream`
			);
		}
	}

	let size = pageId(pages + 1);
	const encryptId = size;
	if (security) object(size++, security.dictionary);
	const xref = length;
	let table = `xref\n0 ${size}\n0000000000 65535 f \n`;
	for (let id = 1; id < size; id++) table += `${String(offsets[id] ?? 0).padStart(10, '0')} 00000 n \n`;
	write(table);
	const encryption = security ? ` /Encrypt ${encryptId} 0 R /ID ${security.id}` : '';
	write(`trailer\n<< /Size ${size} /Root 1 0 R${encryption} >>\nstartxref\n${xref}\n%%EOF\n`);

	const out = new Uint8Array(length);
	let at = 0;
	for (const chunk of chunks) {
		for (let i = 0; i < chunk.length; i++) out[at++] = chunk.charCodeAt(i) & 0xff;
	}
	return out;
}

/** A deterministic gradient, one byte per character (latin1), so the image has real-looking bytes. */
function patternPixels(side: number): string {
	let s = '';
	for (let y = 0; y < side; y++)
		for (let x = 0; x < side; x++) s += String.fromCharCode((x * 5) & 0xff, (y * 3) & 0xff, (x + y) & 0xff);
	return s;
}

function bytesOf(latin1Text: string): Uint8Array {
	return Uint8Array.from(latin1Text, (c) => c.charCodeAt(0) & 0xff);
}

function latin1(bytes: Uint8Array): string {
	let s = '';
	for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
	return s;
}
