/**
 * Splits an mbox file into its messages. A message starts at a separator line, `From <sender> <asctime
 * date>` as every mbox writer puts there, followed by a header line: a body line "From what I hear, …"
 * after a blank line (an mboxo writer that did not quote it) stays in its message. Inside a message,
 * `>From ` lines (any number of `>`) lose one `>` (mboxrd), so bodies read as they were sent. The parts
 * are views of the file's bytes except where a line was unquoted, so memory stays about the file's size.
 */

const LF = 0x0a;
const CR = 0x0d;
const FROM = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "
/**
 * `From <addr-or-token> Sun Mar  3 10:00:00 2024`: asctime, seconds optional, then the year, maybe a zone
 * (`+0000`, `PST`) or Thunderbird's `-` sender, and what some writers append after it.
 */
const SEPARATOR =
	/^From \S+\s+[A-Z][a-z]{2} [A-Z][a-z]{2}\s+\d{1,2} \d{1,2}:\d{2}(:\d{2})?(\s+[A-Z]{2,5}|\s+[+-]\d{4})*\s+\d{4}\b/;
/** A header line ("Return-Path: …"), as the line after a separator must be. */
const HEADER = /^[!-9;-~]+:/;

function startsFromAt(bytes: Uint8Array, at: number): boolean {
	for (let i = 0; i < FROM.length; i++) if (bytes[at + i] !== FROM[i]) return false;
	return true;
}

function lineEnd(bytes: Uint8Array, at: number): number {
	const next = bytes.indexOf(LF, at);
	return next < 0 ? bytes.length : next;
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
	let s = '';
	for (let i = from; i < Math.min(to, from + 200); i++) s += String.fromCharCode(bytes[i]!);
	return s;
}

/** Whether the bytes start like an mbox: a `From ` separator line, then a header line. */
export function looksLikeMbox(bytes: Uint8Array): boolean {
	if (!startsFromAt(bytes, 0)) return false;
	const end = lineEnd(bytes, 0);
	const next = latin1(bytes, end + 1, lineEnd(bytes, end + 1));
	return HEADER.test(next);
}

/**
 * Whether the line at `at` (ending at `end`) is a separator: a `From ` line of the separator form (or,
 * `loose`, any `From ` line after a blank one), then a header on the next line.
 */
function isSeparator(bytes: Uint8Array, at: number, end: number, loose: boolean, afterBlank: boolean): boolean {
	if (!startsFromAt(bytes, at)) return false;
	if (loose ? !afterBlank : !SEPARATOR.test(latin1(bytes, at, end))) return false;
	return HEADER.test(latin1(bytes, end + 1, lineEnd(bytes, end + 1)));
}

function separators(bytes: Uint8Array, loose: boolean): number[] {
	const starts: number[] = [];
	let previousBlank = true;
	for (let at = 0; at < bytes.length;) {
		const end = lineEnd(bytes, at);
		if (isSeparator(bytes, at, end, loose, previousBlank)) starts.push(at);
		previousBlank = end === at || (end === at + 1 && bytes[at] === CR);
		at = end + 1;
	}
	return starts;
}

/** Removes one `>` from each `>…>From ` line; returns the input itself when there is none. */
export function unquoteFromLines(message: Uint8Array): Uint8Array {
	const cuts: number[] = [];
	for (let at = 0; at < message.length;) {
		let q = at;
		while (message[q] === 0x3e) q++;
		if (q > at && startsFromAt(message, q)) cuts.push(at);
		const end = message.indexOf(LF, at);
		if (end < 0) break;
		at = end + 1;
	}
	if (cuts.length === 0) return message;
	const out = new Uint8Array(message.length - cuts.length);
	let from = 0;
	let to = 0;
	for (const cut of cuts) {
		out.set(message.subarray(from, cut), to);
		to += cut - from;
		from = cut + 1;
	}
	out.set(message.subarray(from), to);
	return out;
}

/** The messages of an mbox, each without its `From ` line, at most `limit` of them. */
export function splitMbox(bytes: Uint8Array, limit = Infinity): Uint8Array[] {
	// A writer whose separators carry no asctime date (rare) still splits, as before, rather than losing it all.
	let starts = separators(bytes, false);
	if (starts.length === 0) starts = separators(bytes, true);
	const messages: Uint8Array[] = [];
	for (let i = 0; i < starts.length && messages.length < limit; i++) {
		const body = lineEnd(bytes, starts[i]!) + 1;
		let end = i + 1 < starts.length ? starts[i + 1]! : bytes.length;
		// The blank line before the next separator belongs to the mbox, not to the message.
		if (end > body && bytes[end - 1] === LF) end--;
		if (end > body && bytes[end - 1] === CR) end--;
		if (body >= end) continue;
		messages.push(unquoteFromLines(bytes.subarray(body, end)));
	}
	return messages;
}
