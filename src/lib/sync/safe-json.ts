/**
 * What Postgres can store. Its `text` and `jsonb` refuse U+0000 and UTF-16 surrogates that are not part of
 * a pair, and its JSON parser refuses very deep nesting; a row carrying any of these would fail a whole
 * write. Both sides share these checks: the app cleans text before it stores it, the server refuses the one
 * mutation that still carries such a value (and applies the rest of the batch).
 */

/** Deepest nesting a row's fields may have (objects and arrays); app rows nest two or three levels. */
export const MAX_JSON_DEPTH = 32;

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Replaces U+0000 and lone surrogates with U+FFFD. One UTF-16 unit for one, so offsets into the text (a
 * chunk's `start`/`end`) stay right.
 */
export function sanitizeText(text: string): string {
	return text.replace(UNSTORABLE, '\uFFFD');
}

function unstorableText(text: string): string | undefined {
	UNSTORABLE.lastIndex = 0;
	const found = UNSTORABLE.exec(text);
	UNSTORABLE.lastIndex = 0;
	if (!found) return undefined;
	return found[0] === '\u0000' ? 'holds the character U+0000' : 'holds a lone UTF-16 surrogate';
}

/**
 * Why `value` cannot be stored, or undefined when it can: text with U+0000 or a lone surrogate (in a
 * value or a key), nesting deeper than `MAX_JSON_DEPTH`. Walks without recursion, so hostile nesting
 * cannot overflow the stack.
 */
export function unstorableReason(value: unknown, where = 'fields'): string | undefined {
	const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: where }];
	while (stack.length > 0) {
		const item = stack.pop()!;
		const v = item.value;
		if (typeof v === 'string') {
			const why = unstorableText(v);
			if (why) return `${item.path} ${why}.`;
			continue;
		}
		if (typeof v !== 'object' || v === null) continue;
		if (item.depth >= MAX_JSON_DEPTH) return `${item.path} nests deeper than ${MAX_JSON_DEPTH} levels.`;
		if (Array.isArray(v)) {
			for (let i = 0; i < v.length; i++) stack.push({ value: v[i], depth: item.depth + 1, path: `${item.path}[${i}]` });
			continue;
		}
		for (const [key, child] of Object.entries(v)) {
			const why = unstorableText(key);
			if (why) return `A field name in ${item.path} ${why}.`;
			stack.push({ value: child, depth: item.depth + 1, path: `${item.path}.${key}` });
		}
	}
	return undefined;
}

/** Bytes of `text` in UTF-8 (a lone surrogate counts as the 3 bytes of U+FFFD, as encoders write it). */
export function utf8Length(text: string): number {
	let bytes = 0;
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		if (unit < 0x80) bytes += 1;
		else if (unit < 0x800) bytes += 2;
		else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				bytes += 4;
				i++;
			} else bytes += 3;
		} else bytes += 3;
	}
	return bytes;
}

/** Largest magnitude a pgvector element (a 32-bit float) holds. */
export const MAX_FLOAT32 = 3.4028234663852886e38;
