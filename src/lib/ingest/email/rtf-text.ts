import { decodeWindows1252 } from '../text.ts';

/**
 * The text of an RTF body (an Outlook item's `compressedRtf`, once decompressed), for indexing, not for
 * display: paragraphs and line breaks kept, formatting, font and colour tables, pictures and other
 * `{\*…}` destinations dropped. Encapsulated HTML (`\fromhtml1`) reads as its text: its tags sit in
 * `{\*\htmltag…}` groups, and what lies between `\htmlrtf` and `\htmlrtf0` only repeats it in RTF.
 */

/** Groups whose content is never body text. */
const SKIPPED = new Set([
	'fonttbl',
	'colortbl',
	'stylesheet',
	'info',
	'pict',
	'object',
	'themedata',
	'colorschememapping',
	'datastore',
	'latentstyles',
	'listtable',
	'listoverridetable',
	'rsidtbl',
	'generator',
	'xmlnstbl',
	'filetbl',
	'revtbl',
	'fldinst'
]);

/** Code pages an `\ansicpg` names, as TextDecoder labels. */
function decoderFor(codePage: number): (bytes: Uint8Array) => string {
	if (codePage === 1252 || codePage === 0) return decodeWindows1252;
	try {
		const decoder = new TextDecoder(codePage === 65001 ? 'utf-8' : `windows-${codePage}`);
		return (bytes) => decoder.decode(bytes);
	} catch {
		return decodeWindows1252;
	}
}

export function rtfToText(rtf: string): string {
	let out = '';
	let decode = decoderFor(1252);
	// Per group: skipping its content, \ucN (characters after \uN to skip), and inside \htmlrtf.
	const stack: { skip: boolean; uc: number; htmlrtf: boolean }[] = [];
	let state = { skip: false, uc: 1, htmlrtf: false };
	let pendingBytes: number[] = [];
	let skipChars = 0;
	const flushBytes = () => {
		if (pendingBytes.length > 0) out += decode(Uint8Array.from(pendingBytes));
		pendingBytes = [];
	};
	const emit = (s: string) => {
		flushBytes();
		if (!state.skip && !state.htmlrtf) out += s;
	};
	let i = 0;
	while (i < rtf.length) {
		const c = rtf[i]!;
		if (c === '{') {
			flushBytes();
			stack.push(state);
			state = { ...state };
			i++;
			if (rtf.startsWith('\\*', i)) {
				state.skip = true;
				i += 2;
			}
			continue;
		}
		if (c === '}') {
			flushBytes();
			state = stack.pop() ?? state;
			i++;
			continue;
		}
		if (c === '\r' || c === '\n') {
			i++;
			continue;
		}
		if (c !== '\\') {
			if (skipChars > 0) skipChars--;
			else emit(c);
			i++;
			continue;
		}
		const next = rtf[i + 1] ?? '';
		if (next === "'") {
			const byte = parseInt(rtf.slice(i + 2, i + 4), 16);
			i += 4;
			if (skipChars > 0) skipChars--;
			else if (!state.skip && !state.htmlrtf && Number.isFinite(byte)) pendingBytes.push(byte);
			continue;
		}
		if (!/[a-zA-Z]/.test(next)) {
			// Control symbols: escaped braces and backslash, non-breaking space and hyphen, optional hyphen.
			i += 2;
			if (next === '\\' || next === '{' || next === '}') emit(next);
			else if (next === '~') emit(' ');
			else if (next === '_') emit('-');
			continue;
		}
		const m = /^\\([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(rtf.slice(i, i + 48))!;
		i += m[0].length;
		const word = m[1]!;
		const arg = m[2] === undefined ? undefined : Number(m[2]);
		if (SKIPPED.has(word)) state.skip = true;
		else if (word === 'ansicpg' && arg !== undefined) decode = decoderFor(arg);
		else if (word === 'htmlrtf') state.htmlrtf = arg !== 0;
		else if (word === 'uc' && arg !== undefined) state.uc = arg;
		else if (word === 'u' && arg !== undefined) {
			emit(String.fromCharCode(arg < 0 ? arg + 65536 : arg));
			skipChars = state.uc;
		} else if (word === 'par' || word === 'line' || word === 'sect' || word === 'page') emit('\n');
		else if (word === 'row') emit('\n');
		else if (word === 'tab' || word === 'cell') emit('\t');
		else if (word === 'emdash') emit('—');
		else if (word === 'endash') emit('–');
		else if (word === 'lquote') emit('‘');
		else if (word === 'rquote') emit('’');
		else if (word === 'ldblquote') emit('“');
		else if (word === 'rdblquote') emit('”');
		else if (word === 'bullet') emit('•');
	}
	flushBytes();
	return out;
}
