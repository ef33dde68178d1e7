/**
 * Splits an mbox file into its messages. A message starts at a `From ` line at the start of the file or
 * after a blank line (or one carrying an asctime date, as every mbox writer puts there); inside a message,
 * `>From ` lines (any number of `>`) lose one `>` (mboxrd), so bodies read as they were sent. The parts
 * are views of the file's bytes except where a line was unquoted, so memory stays about the file's size.
 */

const LF = 0x0a;
const CR = 0x0d;
const FROM = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "
const ASCTIME = /^From \S+\s+\w{3} \w{3}\s+\d{1,2} \d{1,2}:\d{2}(:\d{2})? /;

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
	return /^[!-9;-~]+:/.test(next);
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
	const starts: number[] = [];
	let previousBlank = true;
	for (let at = 0; at < bytes.length;) {
		const end = lineEnd(bytes, at);
		if (startsFromAt(bytes, at) && (previousBlank || ASCTIME.test(latin1(bytes, at, end)))) starts.push(at);
		const contentEnd = end > at && bytes[end - 1] === CR ? end - 1 : end;
		previousBlank = contentEnd === at;
		at = end + 1;
	}
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
