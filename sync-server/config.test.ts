import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, resolveConfig } from './config.ts';
import { DiskFileStorage, S3FileStorage, storageFor, storageKey } from './file-storage.ts';

const TEAM = '0b7c6a58-64a7-4c4e-9a59-5d3c7b1f2e10';
const SHA = 'a'.repeat(64);

describe('file storage selection', () => {
	afterEach(() => vi.unstubAllEnvs());

	it('keeps files in the data directory unless a bucket is named', () => {
		const config = resolveConfig({ data: '/srv/docket' }, {});
		expect(config.s3).toBeUndefined();
		expect(storageFor(config)).toBeInstanceOf(DiskFileStorage);
	});

	it('reads S3 settings from flags before the environment, with path style for self-hosted endpoints', () => {
		const env = { DOCKET_S3_BUCKET: 'from-env', DOCKET_S3_REGION: 'eu-west-1' };
		expect(resolveConfig({}, env).s3).toEqual({
			bucket: 'from-env',
			endpoint: undefined,
			region: 'eu-west-1',
			forcePathStyle: false
		});
		const config = resolveConfig({ 's3-bucket': 'docket-files', 's3-endpoint': 'http://minio.internal:9000' }, env);
		expect(config.s3).toEqual({
			bucket: 'docket-files',
			endpoint: 'http://minio.internal:9000',
			region: 'eu-west-1',
			forcePathStyle: true
		});
		expect(
			resolveConfig({ 's3-bucket': 'b-1', 's3-endpoint': 'https://s3.example', 's3-path-style': 'false' }, {}).s3
				?.forcePathStyle
		).toBe(false);
		expect(resolveConfig({}, { DOCKET_S3_BUCKET: 'b-2', AWS_REGION: 'ap-south-1' }).s3?.region).toBe('ap-south-1');
		expect(storageFor(config)).toBeInstanceOf(S3FileStorage);
	});

	it('refuses S3 settings that cannot work, in words', () => {
		expect(() => resolveConfig({ 's3-endpoint': 'http://minio:9000' }, {})).toThrow(ConfigError);
		expect(() => resolveConfig({ 's3-endpoint': 'http://minio:9000' }, {})).toThrow(/bucket/);
		expect(() => resolveConfig({ 's3-bucket': 'Bad_Bucket!' }, {})).toThrow(/bucket name/);
		expect(() => resolveConfig({ 's3-bucket': 'ok-bucket', 's3-endpoint': 'minio:9000' }, {})).toThrow(/http/);
		expect(() => resolveConfig({ 's3-bucket': 'ok-bucket', 's3-path-style': 'maybe' }, {})).toThrow(/true or false/);
	});

	it('never lets an unsafe key or upload id reach the object store', async () => {
		const storage = new S3FileStorage({
			bucket: 'docket-files',
			endpoint: 'http://127.0.0.1:9',
			region: 'us-east-1',
			forcePathStyle: true
		});
		expect(() => storage.read('../etc/passwd')).toThrow(/unsafe/);
		await expect(storage.size(`${TEAM}/../../x`)).rejects.toThrow(/unsafe/);
		await expect(storage.keep('../../secret', storageKey(TEAM, SHA))).rejects.toThrow(/unsafe/);
		await expect(storage.discardUpload('a/b')).rejects.toThrow(/unsafe/);
		await expect(storage.digestUpload('..')).rejects.toThrow(/unsafe/);
	});

	it('asks a path-style endpoint for files/TEAM/SHA256 and reads a missing object as absent', async () => {
		vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
		vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
		const seen: Pick<IncomingMessage, 'method' | 'url'>[] = [];
		const fake = createServer((request, response) => {
			seen.push({ method: request.method, url: request.url });
			response.writeHead(404).end();
		});
		await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = fake.address() as AddressInfo;
			const storage = new S3FileStorage({
				bucket: 'docket-files',
				endpoint: `http://127.0.0.1:${port}`,
				region: 'us-east-1',
				forcePathStyle: true
			});
			expect(await storage.size(storageKey(TEAM, SHA))).toBeUndefined();
			expect(seen).toEqual([{ method: 'HEAD', url: `/docket-files/files/${TEAM}/${SHA}` }]);
		} finally {
			await new Promise((resolve) => fake.close(resolve));
		}
	});
});
