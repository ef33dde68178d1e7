import { describe, expect, it } from 'vitest';
import { findPeople } from './people.ts';

describe('findPeople', () => {
	it.each([
		['On Monday Jane Doe met Mr. Robert O’Brien-Smith.', ['Jane Doe', 'Robert O’Brien-Smith']],
		['The letter from Dr. Anna van der Berg and J. R. Hartley was late.', ['Anna van der Berg', 'J. R. Hartley']],
		[
			'From: Alice Brown <ALICE.BROWN@firm.co.uk>; to bob@example.org.',
			['alice.brown@firm.co.uk', 'bob@example.org', 'Alice Brown']
		],
		['Jane Doe’s statement contradicts Peter Parker.', ['Jane Doe', 'Peter Parker']],
		// Not people: institutions, documents, months, lone capitals, sentence-initial words.
		['The Supreme Court of the United States heard the Lease Agreement dispute in March.', []],
		['In March Smith wrote again.', []],
		['Section Four of the Code applies.', []],
		// Title-case headlines in a bibliography are not people; their authors are.
		['Jonathan Krim, The Quiet War Over Open Source, Washington Post, 21 August 2003.', ['Jonathan Krim']],
		['Frank Ahrens, Four Students Sued Over Music Sites, reported Beth Cox.', ['Frank Ahrens', 'Beth Cox']]
	])('%s', (sentence, expected) => {
		expect(findPeople(sentence)).toEqual(expected);
	});

	it('normalises repeated and compatibility-form names to one entry', () => {
		expect(findPeople('Jane  Doe wrote, and then Jane Doe wrote again.')).toEqual(['Jane Doe']);
		expect(findPeople('ﬁnally Fiona Grant agreed')).toEqual(['Fiona Grant']);
	});
});
