import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * PDF 2.0 standard security handler, revision 6 (AES-256), for test files: the one revision whose
 * passwords are Unicode (UTF-8 after SASLprep), so it is how a Unicode password is tested for real.
 * Follows ISO 32000-2 §7.6.4.3.3–4 (algorithms 2.B, 8, 9, 10). Node-only: tests and benchmarks.
 */
export interface PdfSecurity {
	/** The /Encrypt dictionary. */
	dictionary: string;
	/** The trailer's /ID array. */
	id: string;
	/** Encrypts one stream's bytes: a random IV, then AES-256-CBC with PKCS#7 padding. */
	encryptStream(bytes: Uint8Array): Uint8Array;
}

function aes(
	algorithm: 'aes-128-cbc' | 'aes-256-cbc' | 'aes-256-ecb',
	key: Uint8Array,
	iv: Uint8Array | null,
	data: Uint8Array,
	padding: boolean
): Buffer {
	const cipher = createCipheriv(algorithm, key, iv);
	cipher.setAutoPadding(padding);
	return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** Algorithm 2.B: the revision 6 password hash. */
function hash(password: Buffer, salt: Buffer, userKey: Buffer): Buffer {
	let k: Buffer = createHash('sha256')
		.update(Buffer.concat([password, salt, userKey]))
		.digest();
	let e: Buffer = Buffer.alloc(1);
	for (let round = 0; round < 64 || e[e.length - 1]! > round - 32; round++) {
		const block = Buffer.concat([password, k, userKey]);
		const k1 = Buffer.concat(Array.from({ length: 64 }, () => block));
		e = aes('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32), k1, false);
		// The first 16 bytes of E as a big-endian number, mod 3 (256 ≡ 1 mod 3, so the byte sum will do).
		const mod = e.subarray(0, 16).reduce((sum, b) => sum + b, 0) % 3;
		k = createHash(['sha256', 'sha384', 'sha512'][mod]!).update(e).digest();
	}
	return k.subarray(0, 32);
}

const hex = (bytes: Uint8Array) => `<${Buffer.from(bytes).toString('hex')}>`;

export function aes256Security(userPassword: string, ownerPassword = `${userPassword}-owner`): PdfSecurity {
	const fileKey = randomBytes(32);
	const zeroIv = Buffer.alloc(16);
	const utf8 = (p: string) => Buffer.from(p.normalize('NFKC'), 'utf8').subarray(0, 127);

	const user = utf8(userPassword);
	const [uValidation, uKeySalt] = [randomBytes(8), randomBytes(8)];
	const u = Buffer.concat([hash(user, uValidation, Buffer.alloc(0)), uValidation, uKeySalt]);
	const ue = aes('aes-256-cbc', hash(user, uKeySalt, Buffer.alloc(0)), zeroIv, fileKey, false);

	const owner = utf8(ownerPassword);
	const [oValidation, oKeySalt] = [randomBytes(8), randomBytes(8)];
	const o = Buffer.concat([hash(owner, oValidation, u), oValidation, oKeySalt]);
	const oe = aes('aes-256-cbc', hash(owner, oKeySalt, u), zeroIv, fileKey, false);

	const permissions = -4;
	const perms = Buffer.alloc(16);
	perms.writeInt32LE(permissions, 0);
	perms.fill(0xff, 4, 8);
	perms.write('Tadb', 8, 'latin1');
	randomBytes(4).copy(perms, 12);
	const encryptedPerms = aes('aes-256-ecb', fileKey, null, perms, false);

	return {
		dictionary: `<< /Filter /Standard /V 5 /R 6 /Length 256 /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF /P ${permissions} /U ${hex(u)} /UE ${hex(ue)} /O ${hex(o)} /OE ${hex(oe)} /Perms ${hex(encryptedPerms)} >>`,
		id: `[${hex(randomBytes(16))} ${hex(randomBytes(16))}]`,
		encryptStream(bytes) {
			const iv = randomBytes(16);
			return Buffer.concat([iv, aes('aes-256-cbc', fileKey, iv, bytes, true)]);
		}
	};
}
