/** Generated documents for near-duplicate tests and the `duplicates` benchmark (no files committed). */

/** mulberry32: a seeded generator, so every run builds the same documents. */
export function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const VOCABULARY = (
	'agreement tenant landlord premises notice payment invoice delivery goods breach remedy damages court claim ' +
	'witness statement contract clause term period rent deposit repair inspection schedule meeting letter email ' +
	'director company shares transfer account balance interest default termination warranty liability insurance ' +
	'policy report evidence exhibit hearing order judgment appeal costs settlement offer acceptance refusal ' +
	'instruction client counsel advice opinion draft version record minutes board resolution property lease'
).split(' ');

/** A business letter: shared salutation and sign-off around a body of generated sentences. */
export function letter(seed: number, sentences = 12): string {
	const next = rng(seed);
	const body: string[] = [];
	for (let s = 0; s < sentences; s++) {
		const words = Array.from(
			{ length: 8 + Math.floor(next() * 10) },
			() => VOCABULARY[Math.floor(next() * VOCABULARY.length)]!
		);
		body.push(`${words.join(' ')}.`);
	}
	return `Dear Sir or Madam,\n\nWe write on behalf of our client regarding the matter below.\n\n${body.join(' ')}\n\nYours faithfully,\nSmith & Partners LLP`;
}

/** The text with the words at three spread-out positions replaced. */
export function withThreeWordsChanged(text: string): string {
	const words = text.split(' ');
	for (const at of [0.2, 0.5, 0.8]) words[Math.floor(words.length * at)] = 'CHANGED';
	return words.join(' ');
}
