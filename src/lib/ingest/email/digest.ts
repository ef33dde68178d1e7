/** SHA-256 of bytes as lowercase hex (Web Crypto: the same in a worker, the page and Node). */
export async function sha256OfBytes(bytes: Uint8Array): Promise<string> {
	const view = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', view));
	let hex = '';
	for (const b of digest) hex += b.toString(16).padStart(2, '0');
	return hex;
}
