/**
 * SASLprep (RFC 4013, the stringprep profile of RFC 3454) for AES-256 PDF passwords: PDF 2.0 (ISO
 * 32000-2 § 7.6.4.3.3) has a revision-6 password processed with it before UTF-8 encoding, and pdf.js
 * leaves that to the caller.
 *
 * Hand-written rather than `@mongodb-js/saslprep` (MIT, maintained): its browser build decodes its
 * tables with Node's `Buffer`, which the extraction worker does not have, and a polyfill would weigh
 * more than this. The tables below are RFC 3454's, expressed with Unicode property escapes where the
 * RFC's lists are a Unicode category (controls, private use, surrogates, non-characters); NFKC is the
 * platform's; the right-to-left characters of the bidirectional rule (D.1) are the scripts written that
 * way. Unassigned code points are allowed, as RFC 4013 § 2.5 allows them in queries.
 */

/** C.1.2: non-ASCII spaces, mapped to SPACE (RFC 4013 § 2.1). */
const NON_ASCII_SPACE = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/gu;

/** B.1: characters commonly mapped to nothing (soft hyphen, joiners, variation selectors, BOM). */
// eslint-disable-next-line no-misleading-character-class -- single code points (joiners, selectors) on purpose
const MAPPED_TO_NOTHING = /[\u00ad\u034f\u1806\u180b-\u180d\u200c\u200d\u2060\ufe00-\ufe0f\ufeff]/gu;

/**
 * Prohibited output (RFC 4013 § 2.3): C.1.2 spaces, C.2.1/C.2.2 controls, C.3 private use, C.4
 * non-characters, C.5 surrogates, C.6 inappropriate for plain text, C.7 for canonical representation,
 * C.8 display-changing characters, C.9 tagging characters.
 */
const PROHIBITED =
	// eslint-disable-next-line no-misleading-character-class -- single code points (joiners, selectors) on purpose
	/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\p{Cc}\u06dd\u070f\u180e\u200c\u200d\u2028\u2029\u2060-\u2063\u206a-\u206f\ufeff\ufff9-\ufffc\u{1d173}-\u{1d17a}\p{Co}\p{Cs}\ufdd0-\ufdef\ufffe\uffff\u{1fffe}\u{1ffff}\u{2fffe}\u{2ffff}\u{3fffe}\u{3ffff}\u{4fffe}\u{4ffff}\u{5fffe}\u{5ffff}\u{6fffe}\u{6ffff}\u{7fffe}\u{7ffff}\u{8fffe}\u{8ffff}\u{9fffe}\u{9ffff}\u{afffe}\u{affff}\u{bfffe}\u{bffff}\u{cfffe}\u{cffff}\u{dfffe}\u{dffff}\u{efffe}\u{effff}\u{ffffe}\u{fffff}\u{10fffe}\u{10ffff}\ufffd\u2ff0-\u2ffb\u0340\u0341\u200e\u200f\u202a-\u202e\u{e0001}\u{e0020}-\u{e007f}]/u;

/** D.1 (RandALCat), by script: Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms. */
const RIGHT_TO_LEFT = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\u200f]/u;
const LEFT_TO_RIGHT_LETTER =
	/(?![\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}])\p{L}/u;

/** RFC 3454 § 6: right-to-left text holds no left-to-right letter and starts and ends right-to-left. */
function bidiAllowed(text: string): boolean {
	if (!RIGHT_TO_LEFT.test(text)) return true;
	const chars = [...text];
	return (
		!LEFT_TO_RIGHT_LETTER.test(text) && RIGHT_TO_LEFT.test(chars[0] ?? '') && RIGHT_TO_LEFT.test(chars.at(-1) ?? '')
	);
}

/**
 * The SASLprep form of `input`, or undefined when it holds a prohibited character (then no form of it is
 * the password, and the caller tries the others). Throws nothing.
 */
export function saslprep(input: string): string | undefined {
	const mapped = input.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '');
	const normalised = mapped.normalize('NFKC');
	if (PROHIBITED.test(normalised) || !bidiAllowed(normalised)) return undefined;
	return normalised;
}
