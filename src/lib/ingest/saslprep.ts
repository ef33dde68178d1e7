/**
 * SASLprep (RFC 4013, the stringprep profile of RFC 3454) for AES-256 PDF passwords: PDF 2.0 (ISO
 * 32000-2 § 7.6.4.3.3) has a revision-6 password processed with it before UTF-8 encoding, and pdf.js
 * leaves that to the caller.
 *
 * Hand-written rather than `@mongodb-js/saslprep` (MIT, maintained): its browser build decodes its
 * tables with Node's `Buffer`, which the extraction worker does not have, and a polyfill would weigh
 * more than this. The tables below are RFC 3454's, expressed with Unicode property escapes where the
 * RFC's lists are a Unicode category (controls, private use, surrogates, non-characters); NFKC is the
 * platform's; the bidirectional tables (D.1, D.2) are the RFC's ranges, checked against
 * `@mongodb-js/saslprep` in the tests. Unassigned code points are allowed, as RFC 4013 § 2.5 allows them in
 * queries.
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

/** D.1: characters with bidirectional property R or AL (RandALCat), as RFC 3454 lists them. */
const RIGHT_TO_LEFT =
	/[\u05be\u05c0\u05c3\u05d0-\u05ea\u05f0-\u05f4\u061b\u061f\u0621-\u063a\u0640-\u064a\u066d-\u066f\u0671-\u06d5\u06dd\u06e5-\u06e6\u06fa-\u06fe\u0700-\u070d\u0710\u0712-\u072c\u0780-\u07a5\u07b1\u200f\ufb1d\ufb1f-\ufb28\ufb2a-\ufb36\ufb38-\ufb3c\ufb3e\ufb40-\ufb41\ufb43-\ufb44\ufb46-\ufbb1\ufbd3-\ufd3d\ufd50-\ufd8f\ufd92-\ufdc7\ufdf0-\ufdfc\ufe70-\ufe74\ufe76-\ufefc]/u;
/** D.2: characters with bidirectional property L (LCat), as RFC 3454 lists them. */
const LEFT_TO_RIGHT =
	// eslint-disable-next-line no-misleading-character-class -- single code points (spacing marks) on purpose
	/[\u0041-\u005a\u0061-\u007a\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u0220\u0222-\u0233\u0250-\u02ad\u02b0-\u02b8\u02bb-\u02c1\u02d0-\u02d1\u02e0-\u02e4\u02ee\u037a\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03ce\u03d0-\u03f5\u0400-\u0482\u048a-\u04ce\u04d0-\u04f5\u04f8-\u04f9\u0500-\u050f\u0531-\u0556\u0559-\u055f\u0561-\u0587\u0589\u0903\u0905-\u0939\u093d-\u0940\u0949-\u094c\u0950\u0958-\u0961\u0964-\u0970\u0982-\u0983\u0985-\u098c\u098f-\u0990\u0993-\u09a8\u09aa-\u09b0\u09b2\u09b6-\u09b9\u09be-\u09c0\u09c7-\u09c8\u09cb-\u09cc\u09d7\u09dc-\u09dd\u09df-\u09e1\u09e6-\u09f1\u09f4-\u09fa\u0a05-\u0a0a\u0a0f-\u0a10\u0a13-\u0a28\u0a2a-\u0a30\u0a32-\u0a33\u0a35-\u0a36\u0a38-\u0a39\u0a3e-\u0a40\u0a59-\u0a5c\u0a5e\u0a66-\u0a6f\u0a72-\u0a74\u0a83\u0a85-\u0a8b\u0a8d\u0a8f-\u0a91\u0a93-\u0aa8\u0aaa-\u0ab0\u0ab2-\u0ab3\u0ab5-\u0ab9\u0abd-\u0ac0\u0ac9\u0acb-\u0acc\u0ad0\u0ae0\u0ae6-\u0aef\u0b02-\u0b03\u0b05-\u0b0c\u0b0f-\u0b10\u0b13-\u0b28\u0b2a-\u0b30\u0b32-\u0b33\u0b36-\u0b39\u0b3d-\u0b3e\u0b40\u0b47-\u0b48\u0b4b-\u0b4c\u0b57\u0b5c-\u0b5d\u0b5f-\u0b61\u0b66-\u0b70\u0b83\u0b85-\u0b8a\u0b8e-\u0b90\u0b92-\u0b95\u0b99-\u0b9a\u0b9c\u0b9e-\u0b9f\u0ba3-\u0ba4\u0ba8-\u0baa\u0bae-\u0bb5\u0bb7-\u0bb9\u0bbe-\u0bbf\u0bc1-\u0bc2\u0bc6-\u0bc8\u0bca-\u0bcc\u0bd7\u0be7-\u0bf2\u0c01-\u0c03\u0c05-\u0c0c\u0c0e-\u0c10\u0c12-\u0c28\u0c2a-\u0c33\u0c35-\u0c39\u0c41-\u0c44\u0c60-\u0c61\u0c66-\u0c6f\u0c82-\u0c83\u0c85-\u0c8c\u0c8e-\u0c90\u0c92-\u0ca8\u0caa-\u0cb3\u0cb5-\u0cb9\u0cbe\u0cc0-\u0cc4\u0cc7-\u0cc8\u0cca-\u0ccb\u0cd5-\u0cd6\u0cde\u0ce0-\u0ce1\u0ce6-\u0cef\u0d02-\u0d03\u0d05-\u0d0c\u0d0e-\u0d10\u0d12-\u0d28\u0d2a-\u0d39\u0d3e-\u0d40\u0d46-\u0d48\u0d4a-\u0d4c\u0d57\u0d60-\u0d61\u0d66-\u0d6f\u0d82-\u0d83\u0d85-\u0d96\u0d9a-\u0db1\u0db3-\u0dbb\u0dbd\u0dc0-\u0dc6\u0dcf-\u0dd1\u0dd8-\u0ddf\u0df2-\u0df4\u0e01-\u0e30\u0e32-\u0e33\u0e40-\u0e46\u0e4f-\u0e5b\u0e81-\u0e82\u0e84\u0e87-\u0e88\u0e8a\u0e8d\u0e94-\u0e97\u0e99-\u0e9f\u0ea1-\u0ea3\u0ea5\u0ea7\u0eaa-\u0eab\u0ead-\u0eb0\u0eb2-\u0eb3\u0ebd\u0ec0-\u0ec4\u0ec6\u0ed0-\u0ed9\u0edc-\u0edd\u0f00-\u0f17\u0f1a-\u0f34\u0f36\u0f38\u0f3e-\u0f47\u0f49-\u0f6a\u0f7f\u0f85\u0f88-\u0f8b\u0fbe-\u0fc5\u0fc7-\u0fcc\u0fcf\u1000-\u1021\u1023-\u1027\u1029-\u102a\u102c\u1031\u1038\u1040-\u1057\u10a0-\u10c5\u10d0-\u10f8\u10fb\u1100-\u1159\u115f-\u11a2\u11a8-\u11f9\u1200-\u1206\u1208-\u1246\u1248\u124a-\u124d\u1250-\u1256\u1258\u125a-\u125d\u1260-\u1286\u1288\u128a-\u128d\u1290-\u12ae\u12b0\u12b2-\u12b5\u12b8-\u12be\u12c0\u12c2-\u12c5\u12c8-\u12ce\u12d0-\u12d6\u12d8-\u12ee\u12f0-\u130e\u1310\u1312-\u1315\u1318-\u131e\u1320-\u1346\u1348-\u135a\u1361-\u137c\u13a0-\u13f4\u1401-\u1676\u1681-\u169a\u16a0-\u16f0\u1700-\u170c\u170e-\u1711\u1720-\u1731\u1735-\u1736\u1740-\u1751\u1760-\u176c\u176e-\u1770\u1780-\u17b6\u17be-\u17c5\u17c7-\u17c8\u17d4-\u17da\u17dc\u17e0-\u17e9\u1810-\u1819\u1820-\u1877\u1880-\u18a8\u1e00-\u1e9b\u1ea0-\u1ef9\u1f00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u200e\u2071\u207f\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2131\u2133-\u2139\u213d-\u213f\u2145-\u2149\u2160-\u2183\u2336-\u237a\u2395\u249c-\u24e9\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3105-\u312c\u3131-\u318e\u3190-\u31b7\u31f0-\u321c\u3220-\u3243\u3260-\u327b\u327f-\u32b0\u32c0-\u32cb\u32d0-\u32fe\u3300-\u3376\u337b-\u33dd\u33e0-\u33fe\u3400-\u4db5\u4e00-\u9fa5\ua000-\ua48c\uac00-\ud7a3\ud800-\ufa2d\ufa30-\ufa6a\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\uff66-\uffbe\uffc2-\uffc7\uffca-\uffcf\uffd2-\uffd7\uffda-\uffdc\u{10300}-\u{1031e}\u{10320}-\u{10323}\u{10330}-\u{1034a}\u{10400}-\u{10425}\u{10428}-\u{1044d}\u{1d000}-\u{1d0f5}\u{1d100}-\u{1d126}\u{1d12a}-\u{1d166}\u{1d16a}-\u{1d172}\u{1d183}-\u{1d184}\u{1d18c}-\u{1d1a9}\u{1d1ae}-\u{1d1dd}\u{1d400}-\u{1d454}\u{1d456}-\u{1d49c}\u{1d49e}-\u{1d49f}\u{1d4a2}\u{1d4a5}-\u{1d4a6}\u{1d4a9}-\u{1d4ac}\u{1d4ae}-\u{1d4b9}\u{1d4bb}\u{1d4bd}-\u{1d4c0}\u{1d4c2}-\u{1d4c3}\u{1d4c5}-\u{1d505}\u{1d507}-\u{1d50a}\u{1d50d}-\u{1d514}\u{1d516}-\u{1d51c}\u{1d51e}-\u{1d539}\u{1d53b}-\u{1d53e}\u{1d540}-\u{1d544}\u{1d546}\u{1d54a}-\u{1d550}\u{1d552}-\u{1d6a3}\u{1d6a8}-\u{1d7c9}\u{20000}-\u{2a6d6}\u{2f800}-\u{2fa1d}\u{f0000}-\u{ffffd}\u{100000}-\u{10fffd}]/u;

/** RFC 3454 § 6: text with a right-to-left character holds no left-to-right one, and starts and ends right-to-left. */
function bidiAllowed(text: string): boolean {
	if (!RIGHT_TO_LEFT.test(text)) return true;
	const chars = [...text];
	return !LEFT_TO_RIGHT.test(text) && RIGHT_TO_LEFT.test(chars[0] ?? '') && RIGHT_TO_LEFT.test(chars.at(-1) ?? '');
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
