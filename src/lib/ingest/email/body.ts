import { htmlToParagraphs, textToParagraphs } from './html-text.ts';
import { cutNote } from './layout.ts';
import { FAMILY_LIMITS } from './types.ts';

/** A message's body as indexed, and what a reader must be told about it. */
export interface MessageBody {
	paragraphs: string[];
	/** Plain-words notes for the document ("the text was cut at …"); empty when there is nothing to say. */
	notes: string[];
}

/** Printed before the HTML part's text when both parts are indexed. */
export const HTML_PART_LABEL = '[HTML part of this message, which differs from its plain-text part:]';

/** Above this many characters the two parts are not compared (it would be slow); both are indexed. */
const COMPARE_LIMIT = 1_000_000;

/** Letters and digits only, lower-cased: wrapping, spacing and punctuation do not count as differences. */
function norm(s: string): string {
	return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Paragraphs of `part` whose words do not appear, in order, anywhere in `whole`. */
function missingFrom(part: readonly string[], whole: readonly string[]): number {
	const haystack = norm(whole.join(' '));
	return part.filter((p) => {
		const n = norm(p);
		return n !== '' && !haystack.includes(n);
	}).length;
}

/**
 * The body of a message with a plain-text and/or an HTML part. Mailers usually send the same words
 * twice, so one part is indexed; but the HTML part can hold what the plain part lacks (an edited reply,
 * a table, a clause), and evidence must not be missed. The rule: a paragraph counts as missing from the
 * other part when its letters and digits do not occur there. Only the plain part when HTML adds nothing;
 * only the HTML part when it has everything the plain part has and more; else both, the HTML part after
 * `HTML_PART_LABEL`. Very long parts are not compared: both are indexed.
 */
export function messageBody(
	text: string | undefined,
	html: string | undefined,
	max: number = FAMILY_LIMITS.maxTextChars
): MessageBody {
	const cut = { cut: false };
	const plain = text?.trim() ? textToParagraphs(text, max, cut) : [];
	const fromHtml = html?.trim() ? htmlToParagraphs(html, max, cut) : [];
	let paragraphs: string[];
	if (plain.length === 0) paragraphs = fromHtml;
	else if (fromHtml.length === 0) paragraphs = plain;
	else {
		const long = (text?.length ?? 0) + (html?.length ?? 0) > COMPARE_LIMIT;
		if (!long && missingFrom(fromHtml, plain) === 0) paragraphs = plain;
		else if (!long && missingFrom(plain, fromHtml) === 0) paragraphs = fromHtml;
		else paragraphs = [...plain, HTML_PART_LABEL, ...fromHtml];
	}
	return { paragraphs, notes: cut.cut ? [cutNote(max)] : [] };
}
