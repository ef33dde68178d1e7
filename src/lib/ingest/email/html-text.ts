import { Parser } from 'htmlparser2';

/** Elements whose content is never text a reader sees (and must never run). */
const SKIPPED = new Set([
	'script',
	'style',
	'head',
	'title',
	'noscript',
	'template',
	'iframe',
	'object',
	'embed',
	'svg',
	'math',
	'select',
	'button'
]);

/** Elements that start and end a paragraph. */
const BLOCKS = new Set([
	'p',
	'div',
	'li',
	'tr',
	'h1',
	'h2',
	'h3',
	'h4',
	'h5',
	'h6',
	'blockquote',
	'table',
	'section',
	'article',
	'header',
	'footer',
	'aside',
	'nav',
	'pre',
	'hr',
	'ul',
	'ol',
	'dl',
	'dt',
	'dd',
	'figure',
	'figcaption',
	'address',
	'form',
	'fieldset',
	'main',
	'center'
]);

/**
 * HTML (an email's HTML body, an `.html` file) as paragraphs of plain text: block elements separate
 * paragraphs, `<br>` breaks a line, scripts, styles and embedded frames are dropped, entities decoded.
 * A streaming parser, no DOM: it runs the same in a worker and in Node, and memory is the text's own.
 * Text past `maxChars` is dropped, and `cut.cut` says so.
 */
export function htmlToParagraphs(html: string, maxChars = Infinity, cut?: { cut: boolean }): string[] {
	const paragraphs: string[] = [];
	let current = '';
	let skipDepth = 0;
	let preDepth = 0;
	let total = 0;
	const flush = () => {
		const text = preDepth > 0 ? current.replace(/^\n+|\s+$/g, '') : current.replace(/[ \t]*\n[ \t]*/g, '\n').trim();
		if (text !== '' && total < maxChars) {
			paragraphs.push(text);
			total += text.length;
		} else if (text !== '' && cut) cut.cut = true;
		current = '';
	};
	const parser = new Parser(
		{
			onopentag(name) {
				if (SKIPPED.has(name)) skipDepth++;
				if (skipDepth > 0) return;
				if (name === 'pre') preDepth++;
				if (BLOCKS.has(name)) flush();
				else if (name === 'br') current += '\n';
				else if (name === 'td' || name === 'th') current += current === '' || current.endsWith(' ') ? '' : ' ';
			},
			ontext(text) {
				if (skipDepth > 0) return;
				if (total >= maxChars) {
					if (cut && text.trim() !== '') cut.cut = true;
					return;
				}
				current += preDepth > 0 ? text : text.replace(/[\s\u00a0]+/g, ' ');
			},
			onclosetag(name) {
				if (SKIPPED.has(name)) {
					skipDepth = Math.max(0, skipDepth - 1);
					return;
				}
				if (skipDepth > 0) return;
				if (BLOCKS.has(name)) flush();
				if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
			}
		},
		{ decodeEntities: true, lowerCaseTags: true }
	);
	parser.write(html);
	parser.end();
	flush();
	return paragraphs;
}

/**
 * Plain text as paragraphs: blank lines separate them; line breaks inside one are kept. Paragraphs past
 * `maxChars` are dropped, and `cut.cut` says so.
 */
export function textToParagraphs(text: string, maxChars = Infinity, cut?: { cut: boolean }): string[] {
	const out: string[] = [];
	let total = 0;
	for (const part of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
		const paragraph = part.replace(/[ \t]+$/gm, '').replace(/^\n+|\s+$/g, '');
		if (paragraph.trim() === '') continue;
		if (total >= maxChars) {
			if (cut) cut.cut = true;
			break;
		}
		out.push(paragraph);
		total += paragraph.length;
	}
	return out;
}
