import { describe, expect, it } from 'vitest';
import { findNames, findPeople, organisationOf } from './people.ts';

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

describe('people and organisations', () => {
	it.each([
		// Companies, firms, banks and public bodies are organisations, never people.
		['Jane Doe of Alder Holdings wrote to Acme Corp.', ['Jane Doe'], ['Alder Holdings', 'Acme Corp']],
		['Smith & Jones LLP acted for First National Bank.', [], ['Smith & Jones LLP', 'First National Bank']],
		['The Ministry of Justice replied to Peter Okafor.', ['Peter Okafor'], ['Ministry of Justice']],
		['Brightwater Marine Ltd. and Tom Reyes signed.', ['Tom Reyes'], ['Brightwater Marine Ltd']],
		['The Supreme Court of the United States heard it.', [], ['Supreme Court of the United States']],
		// People joined by "and" stay two people; a lone surname is neither.
		['Jane Doe and John Smith met Morgan.', ['Jane Doe', 'John Smith'], []],
		['Morgan called.', [], []],
		// A document or a place is neither.
		['The Lease Agreement names New York.', [], []]
	])('%s', (sentence, people, organisations) => {
		expect(findNames(sentence)).toEqual({ people, organisations });
		expect(findPeople(sentence)).toEqual(people);
	});

	it('reads a name that appears with a legal suffix elsewhere in the case as that organisation', () => {
		const organisations = ['Brightwater Marine Ltd', 'Mary Alder Foundation', 'Kestrel Co., Inc.'];
		expect(organisationOf('Brightwater Marine', organisations)).toBe('Brightwater Marine Ltd');
		expect(organisationOf('Kestrel', organisations)).toBe('Kestrel Co., Inc.');
		// A foundation named after a person does not make the person an organisation.
		expect(organisationOf('Mary Alder', organisations)).toBeUndefined();
		expect(organisationOf('Brightwater', organisations)).toBeUndefined();
	});
});
