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

interface Visit {
	value: unknown;
	depth: number;
	parent: Visit | undefined;
	key: string | number;
}

/** `fields.a[0].b`: spelled out only when something is wrong there. */
function pathOf(visit: Visit): string {
	const parts: string[] = [];
	let v = visit;
	for (; v.parent; v = v.parent) parts.push(typeof v.key === 'number' ? `[${v.key}]` : `.${v.key}`);
	return `${v.key}${parts.reverse().join('')}`;
}

/**
 * Why `value` cannot be stored, or undefined when it can: text with U+0000 or a lone surrogate (in a
 * value or a key), nesting deeper than `MAX_JSON_DEPTH`, or (given `maxValues`) more values than that,
 * which is answered before the rest is walked: every value costs at least a byte of JSON, so a request
 * of millions of them is refused without building anything per value. Walks without recursion, so
 * hostile nesting cannot overflow the stack; a value's path is spelled out only for the answer.
 */
export function unstorableReason(value: unknown, where = 'fields', maxValues = Infinity): string | undefined {
	const stack: Visit[] = [{ value, depth: 0, parent: undefined, key: where }];
	let values = 1;
	const tooMany = () => `${where} hold more than ${maxValues} values.`;
	while (stack.length > 0) {
		const item = stack.pop()!;
		const v = item.value;
		if (typeof v === 'string') {
			const why = unstorableText(v);
			if (why) return `${pathOf(item)} ${why}.`;
			continue;
		}
		if (typeof v !== 'object' || v === null) continue;
		if (item.depth >= MAX_JSON_DEPTH) return `${pathOf(item)} nests deeper than ${MAX_JSON_DEPTH} levels.`;
		if (Array.isArray(v)) {
			if ((values += v.length) > maxValues) return tooMany();
			for (let i = 0; i < v.length; i++) stack.push({ value: v[i], depth: item.depth + 1, parent: item, key: i });
			continue;
		}
		const keys = Object.keys(v);
		if ((values += keys.length) > maxValues) return tooMany();
		for (const key of keys) {
			const why = unstorableText(key);
			if (why) return `A field name in ${pathOf(item)} ${why}.`;
			stack.push({ value: (v as Record<string, unknown>)[key], depth: item.depth + 1, parent: item, key });
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
