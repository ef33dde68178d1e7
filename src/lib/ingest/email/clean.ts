/**
 * Control characters (C0, DEL, C1) and the Unicode line and paragraph separators, collapsed with the
 * spaces around them into one space. A name, address or subject is one line of the header block: a
 * decoded "Ann\nTo: x@y" must not print as a forged "To:" line that search and citations then trust.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const CONTROL = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

export function cleanText(s: string): string {
	return s.replace(CONTROL, ' ').trim();
}
