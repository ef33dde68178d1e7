/** Which image files Docket reads as documents (by signature); kept apart from the decoder so sniffing stays small. */

/**
 * Largest image area decoded (pixels), in an image file or inside a PDF: 600 dpi US Legal is 43 M; past
 * this a hostile header (a few bytes declaring 65535 × 65535) is refused before memory is spent on it.
 */
export const MAX_IMAGE_PIXELS = 80_000_000;

export type ImageFormat = 'png' | 'jpeg' | 'tiff';

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
	return bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
}

export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
	if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
	if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
	if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
	return undefined;
}
