import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

describe('docket command line', () => {
	it('prints help listing every command', async () => {
		const { io, out } = capture();
		expect(await main(['--help'], io)).toBe(0);
		expect(out.join('\n')).toMatch(/Usage: docket <command>/);
		expect(out.join('\n')).toMatch(/server/);
	});

	it('refuses an unknown command with exit code 2', async () => {
		const { io, err } = capture();
		expect(await main(['frobnicate'], io)).toBe(2);
		expect(err.join('\n')).toMatch(/unknown command "frobnicate"/);
	});

	it('explains a bad flag with the command’s usage', async () => {
		const { io, err } = capture();
		expect(await main(['server', '--port', 'eighty'], io)).toBe(2);
		expect(err.join('\n')).toMatch(/not a port number/);
		expect(err.join('\n')).toMatch(/Usage: docket server/);
	});

	it('runs as an executable through bin/docket.js', async () => {
		const { stdout } = await promisify(execFile)(process.execPath, ['bin/docket.js', '--help']);
		expect(stdout).toMatch(/docket — the command line of Docket/);
	}, 30_000);
});
