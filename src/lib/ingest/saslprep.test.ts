import { describe, expect, it } from 'vitest';
import { passwordCandidates } from './pdf.ts';
import { saslprep } from './saslprep.ts';

describe('SASLprep (RFC 4013)', () => {
	it('gives § 3’s examples', () => {
		expect(saslprep('I\u00adX')).toBe('IX');
		expect(saslprep('user')).toBe('user');
		expect(saslprep('USER')).toBe('USER');
		expect(saslprep('\u00aa')).toBe('a');
		expect(saslprep('\u2168')).toBe('IX');
		expect(saslprep('\u0007')).toBeUndefined();
		expect(saslprep('\u0627\u0031')).toBeUndefined();
	});

	it('maps non-ASCII spaces to a space and zero-width characters to nothing', () => {
		expect(saslprep('pass\u00a0word')).toBe('pass word');
		expect(saslprep('pa\u200dss\ufeff')).toBe('pass');
		expect(saslprep('\u0627\u0628')).toBe('\u0627\u0628');
		expect(saslprep('ab\ue000')).toBeUndefined();
	});

	it('is tried with the other spellings of a typed password', () => {
		const candidates = passwordCandidates('Se\u00adcret\u00a0\ufb01le');
		expect(candidates).toContain('Secret file');
		expect(candidates[0]).toBe('Se\u00adcret\u00a0\ufb01le');
		// A prohibited character leaves only the other spellings.
		expect(passwordCandidates('a\u0007b')).not.toContain(undefined);
	});
});
