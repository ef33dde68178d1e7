import { Parser } from 'htmlparser2';
import { cutNote } from './email/layout.ts';
import { FAMILY_LIMITS } from './email/types.ts';
import { decodeText } from './text.ts';
import { checkZip, readZipEntry, ZipRefusal, type ZipEntry } from './zip-guard.ts';

/** A ZIP holds a Word document when its parts include the main document part. */
export function isDocxEntries(names: readonly string[]): boolean {
	return names.includes('word/document.xml');
}

/** A Word file's text, and what the document must say about how it was read. */
export interface DocxText {
	paragraphs: string[];
	notes: string[];
}

/** Labels of the sections after the body, each printed as a paragraph of its own before its text. */
export const DOCX_SECTIONS = {
	headers: 'Headers',
	footers: 'Footers',
	footnotes: 'Footnotes',
	endnotes: 'Endnotes',
	comments: 'Comments',
	deleted: 'Deleted in tracked changes'
} as const;

interface PartText {
	paragraphs: string[];
	/** Text of `w:delText` and `w:moveFrom`, by paragraph. */
	deleted: string[];
	revisions: boolean;
	hidden: boolean;
}

/**
 * The text of one WordprocessingML part, by a streaming XML parser (no DOM, no DTD: an entity is never
 * expanded, so a "billion laughs" part stays small). Runs' text joins into paragraphs; `w:tab` is a tab,
 * `w:br` and `w:cr` a line break, so "Acme Corp" and "123 Main Street" stay apart. Field codes are
 * skipped (their result is text), and of `mc:AlternateContent` only the first choice is read, so a text
 * box is not read twice. A comment's first paragraph is led by its author. Deleted and moved-away text is kept apart, to be indexed under its own label.
 */
function partText(xml: string): PartText {
	const out: PartText = { paragraphs: [], deleted: [], revisions: false, hidden: false };
	let current = '';
	let deleted = '';
	let inText = 0;
	let inDeleted = 0;
	let skip = 0;
	const alternate: boolean[] = [];
	let runHidden = false;
	let inRunProps = 0;
	// A comment's author goes before its first paragraph: "Partner: delete this before sending".
	let author: string | undefined;
	const flush = () => {
		const text = current.replace(/[ \t]*\n[ \t]*/g, '\n').trim();
		if (text !== '') {
			out.paragraphs.push(author ? `${author}: ${text}` : text);
			author = undefined;
		}
		const gone = deleted.trim();
		if (gone !== '') out.deleted.push(gone);
		current = '';
		deleted = '';
	};
	const add = (s: string) => {
		if (inDeleted > 0) deleted += s;
		else current += s;
	};
	const parser = new Parser(
		{
			onopentag(name, attrs) {
				// Inside a skipped element every tag only deepens the skip, so its close balances it.
				if (skip > 0) {
					skip++;
					return;
				}
				if (name === 'mc:AlternateContent') alternate.push(false);
				else if (name === 'mc:Choice' || name === 'mc:Fallback') {
					if (alternate[alternate.length - 1]) {
						skip = 1;
						return;
					}
					if (alternate.length > 0) alternate[alternate.length - 1] = true;
				}
				switch (name) {
					case 'w:p':
						flush();
						break;
					case 'w:comment':
						flush();
						author = attrs['w:author'] || undefined;
						break;
					case 'w:t':
					case 'w:delText':
						inText++;
						if (name === 'w:delText') out.revisions = true;
						if (runHidden) out.hidden = true;
						break;
					case 'w:instrText':
					case 'w:tabs':
						// Field codes (HYPERLINK "…"), and tab stops, which are w:tab elements but no text.
						skip = 1;
						break;
					case 'w:del':
					case 'w:moveFrom':
						// In run properties, w:del marks a deleted paragraph mark, not deleted text.
						if (inRunProps > 0) {
							out.revisions = true;
							break;
						}
						inDeleted++;
						out.revisions = true;
						break;
					case 'w:ins':
					case 'w:moveTo':
						out.revisions = true;
						break;
					case 'w:rPr':
						inRunProps++;
						break;
					case 'w:vanish':
						if (inRunProps > 0 && attrs['w:val'] !== '0' && attrs['w:val'] !== 'false') runHidden = true;
						break;
					case 'w:r':
						runHidden = false;
						break;
					case 'w:tab':
						add('\t');
						break;
					case 'w:br':
					case 'w:cr':
						add('\n');
						break;
					case 'w:noBreakHyphen':
						add('-');
						break;
					case 'w:tc':
						// Cells' paragraphs are paragraphs; a cell without one still separates its neighbours.
						add(' ');
						break;
				}
			},
			ontext(text) {
				if (skip === 0 && inText > 0) add(text);
			},
			onclosetag(name) {
				if (skip > 0) {
					skip--;
					return;
				}
				if (name === 'mc:AlternateContent') alternate.pop();
				if (name === 'w:t' || name === 'w:delText') inText = Math.max(0, inText - 1);
				else if ((name === 'w:del' || name === 'w:moveFrom') && inRunProps === 0)
					inDeleted = Math.max(0, inDeleted - 1);
				else if (name === 'w:rPr') inRunProps = Math.max(0, inRunProps - 1);
				else if (name === 'w:p') flush();
				else if (name === 'w:comment') {
					flush();
					author = undefined;
				}
			}
		},
		{ xmlMode: true, decodeEntities: true }
	);
	parser.write(xml);
	parser.end();
	flush();
	return out;
}

/** header1.xml before header2.xml before header10.xml. */
function byNumber(a: ZipEntry, b: ZipEntry): number {
	return a.name.localeCompare(b.name, 'en', { numeric: true });
}

/** Notes without their separator entries (w:type="separator", "continuationSeparator", …). */
function notesXml(xml: string): string {
	return xml.replace(/<w:(footnote|endnote)\b[^>]*w:type="[^"]*"[^>]*>[\s\S]*?<\/w:\1>/g, '');
}

/**
 * A Word file's text: the body's paragraphs (headings, list items and table cells are paragraphs of
 * their own), then, each after its label (`DOCX_SECTIONS`), the headers, footers, footnotes, endnotes,
 * comments, and the text deleted in tracked changes. The body shows tracked changes accepted, as Word
 * does by default; notes say that the file has revisions or hidden text. The ZIP is measured first
 * (`zip-guard.ts`); a bomb or a broken file throws `ZipRefusal`.
 */
export async function docxText(bytes: Uint8Array): Promise<DocxText> {
	const entries = await checkZip(bytes, {
		maxEntries: 10_000,
		maxTotalBytes: FAMILY_LIMITS.maxDocxUncompressedBytes,
		maxRatio: FAMILY_LIMITS.maxDocxRatio
	});
	if (!isDocxEntries(entries.map((e) => e.name)))
		throw new ZipRefusal('damaged', 'This ZIP file has no Word document inside (no word/document.xml).');
	// XML parts are UTF-8, or UTF-16 by byte-order mark.
	const read = async (e: ZipEntry) => decodeText(await readZipEntry(bytes, e));
	const named = (re: RegExp) => entries.filter((e) => re.test(e.name)).sort(byNumber);
	const body = partText(await read(entries.find((e) => e.name === 'word/document.xml')!));
	const sections: [string, PartText][] = [];
	const gather = async (label: string, parts: ZipEntry[], text: (xml: string) => PartText) => {
		const merged: PartText = { paragraphs: [], deleted: [], revisions: false, hidden: false };
		for (const e of parts) {
			const t = text(await read(e));
			// Sections' headers often repeat (first page, even pages): each distinct paragraph once.
			for (const p of t.paragraphs) if (!merged.paragraphs.includes(p)) merged.paragraphs.push(p);
			merged.deleted.push(...t.deleted);
			merged.revisions ||= t.revisions;
			merged.hidden ||= t.hidden;
		}
		sections.push([label, merged]);
	};
	await gather(DOCX_SECTIONS.headers, named(/^word\/header\d*\.xml$/), partText);
	await gather(DOCX_SECTIONS.footers, named(/^word\/footer\d*\.xml$/), partText);
	await gather(DOCX_SECTIONS.footnotes, named(/^word\/footnotes\.xml$/), (x) => partText(notesXml(x)));
	await gather(DOCX_SECTIONS.endnotes, named(/^word\/endnotes\.xml$/), (x) => partText(notesXml(x)));
	await gather(DOCX_SECTIONS.comments, named(/^word\/comments\.xml$/), partText);

	const all: string[] = [...body.paragraphs];
	const deleted = [...body.deleted];
	let revisions = body.revisions;
	let hidden = body.hidden;
	for (const [label, part] of sections) {
		if (part.paragraphs.length > 0) all.push(label, ...part.paragraphs);
		deleted.push(...part.deleted);
		revisions ||= part.revisions;
		hidden ||= part.hidden;
	}
	if (deleted.length > 0) all.push(DOCX_SECTIONS.deleted, ...deleted);

	const paragraphs: string[] = [];
	let total = 0;
	let cut = false;
	for (const paragraph of all) {
		if (total >= FAMILY_LIMITS.maxTextChars) {
			cut = true;
			break;
		}
		paragraphs.push(paragraph);
		total += paragraph.length;
	}
	const notes: string[] = [];
	if (revisions)
		notes.push(
			`This Word file has tracked changes: its text is shown with them accepted${deleted.length > 0 ? `, and the deleted text is indexed at the end under "${DOCX_SECTIONS.deleted}"` : ''}.`
		);
	if (hidden) notes.push('It has hidden text (formatted not to show in Word), indexed with the rest.');
	if (cut) notes.push(cutNote(FAMILY_LIMITS.maxTextChars));
	return { paragraphs, notes };
}

/** The paragraphs alone (see `docxText`). */
export async function docxParagraphs(bytes: Uint8Array): Promise<string[]> {
	return (await docxText(bytes)).paragraphs;
}
