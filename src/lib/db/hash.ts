import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Files up to this size are hashed in one call to WebCrypto; larger ones stream, so memory stays flat. */
const ONE_SHOT_LIMIT = 64 * 1024 * 1024;

/** Lower-case hex SHA-256 of a blob's bytes. */
export async function sha256Hex(blob: Blob): Promise<string> {
	if (blob.size <= ONE_SHOT_LIMIT) {
		const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
		return bytesToHex(new Uint8Array(digest));
	}
	return sha256Streaming(blob);
}

/** Streaming SHA-256 for files too large to hold in memory at once. */
export async function sha256Streaming(blob: Blob): Promise<string> {
	const hash = sha256.create();
	const reader = blob.stream().getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		hash.update(value);
	}
	return bytesToHex(hash.digest());
}
