import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { apiClient, spawnServer } from '../../sync-server/testing.ts';

/** `docket server user add | list | remove`, through a running server and with none running. */

async function cli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
	const stdout: string[] = [];
	const stderr: string[] = [];
	const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
	return { code, stdout, stderr };
}

describe('docket server user', () => {
	const children: ChildProcess[] = [];
	const dirs: string[] = [];
	afterAll(async () => {
		for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
		for (const dir of dirs) await rm(dir, { recursive: true, force: true });
	});

	it('lists people with roles and devices, and removes a person, revoking every token at once', async () => {
		const dataDir = await mkdtemp(join(tmpdir(), 'docket-users-'));
		dirs.push(dataDir);
		const { child, url } = await spawnServer(dataDir);
		children.push(child);
		const add = (name: string, ...more: string[]) =>
			cli(['server', 'user', 'add', name, '--team', 'Firm', '--data', dataDir, ...more]);
		const ann = await add('Ann Lawyer', '--admin');
		const ben1 = await add('Ben Clerk');
		const ben2 = await add('Ben Clerk');
		for (const added of [ann, ben1, ben2]) expect(added.stdout.at(-1)).toMatch(/^dkt_/);
		const benTokens = [ben1.stdout.at(-1) ?? '', ben2.stdout.at(-1) ?? ''];
		for (const token of benTokens) expect((await apiClient(url, token).raw('/api/v1/pull?since=0')).status).toBe(200);

		const listed = await cli(['server', 'user', 'list', '--json', '--data', dataDir]);
		expect(listed.code).toBe(0);
		const people = listed.stdout.map((line) => JSON.parse(line) as { name: string; role: string; devices: unknown[] });
		expect(people.map((p) => [p.name, p.role, p.devices.length])).toEqual([
			['Ann Lawyer', 'admin', 1],
			['Ben Clerk', 'member', 2]
		]);
		const text = await cli(['server', 'user', 'list', '--data', dataDir]);
		expect(text.stdout.join('\n')).toMatch(/Firm · Ben Clerk · member\n {4}command line · last seen \d{4}-\d\d-\d\d/);

		const removed = await cli(['server', 'user', 'remove', 'Ben Clerk', '--data', dataDir]);
		expect(removed.code).toBe(0);
		expect(removed.stdout.at(-1)).toBe('Removed Ben Clerk from team Firm; 2 tokens revoked.');
		for (const token of benTokens) expect((await apiClient(url, token).raw('/api/v1/pull?since=0')).status).toBe(401);
		expect((await apiClient(url, ann.stdout.at(-1) ?? '').raw('/api/v1/pull?since=0')).status).toBe(200);

		const missing = await cli(['server', 'user', 'remove', 'Nobody', '--data', dataDir]);
		expect(missing.code).not.toBe(0);
		expect(missing.stderr.join('\n')).toMatch(/Nobody called "Nobody"/);

		// With no server running, the commands open the directory themselves.
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		await exited;
		const offline = await cli(['server', 'user', 'list', '--json', '--data', dataDir]);
		expect(offline.stdout.map((line) => (JSON.parse(line) as { name: string }).name)).toEqual(['Ann Lawyer']);
	}, 120_000);
});
