import { describe, expect, it } from 'vitest';
import { easilyGuessed, Password } from './accounts-protocol.ts';

describe('passwords', () => {
	it('refuses what a guesser tries first, and takes a passphrase of one’s own', () => {
		for (const weak of [
			'aaaaaaaaaa',
			'abcabcabca',
			'1212121212',
			'1234567890',
			'0987654321',
			'qwertyuiop',
			'abcdefghijk',
			'Password123',
			'p@ssw0rd2024!',
			'welcome1234',
			'iloveyou12'
		])
			expect(easilyGuessed(weak), weak).toBe(true);
		for (const fine of ['admin password 1', 'orchard lease 1997', 'correct horse battery', 'Ταξίδι στη Ρώμη'])
			expect(easilyGuessed(fine), fine).toBe(false);
		const refused = Password.safeParse('qwertyuiop');
		expect(refused.success).toBe(false);
		expect(refused.error?.issues[0]?.message).toMatch(/first a guesser tries/);
		expect(Password.safeParse('short').error?.issues[0]?.message).toMatch(/at least 10 characters/);
	});
});
