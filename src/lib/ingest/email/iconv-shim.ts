/**
 * Stands in for iconv-lite in the app's build. @kenjiuno/msgreader loads iconv-lite only to decode ANSI
 * code-page strings when asked for an encoding, which Docket never does; the real module needs Node's
 * Buffer, which a browser worker lacks. Anything that does reach it decodes as the WHATWG decoders can.
 */
export function decode(bytes: Uint8Array, encoding: string): string {
	return new TextDecoder(encoding).decode(bytes);
}

export function encode(text: string): Uint8Array {
	return new TextEncoder().encode(text);
}

export default { decode, encode };
