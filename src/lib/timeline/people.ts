/**
 * People named in a sentence, without a model: e-mail addresses, and runs of two or more capitalised
 * words ("Jane Q. Doe", "Mr. O'Brien-Smith", "Maria de la Cruz"). Runs are cut at month and weekday
 * names, a sentence-initial common word is dropped ("On Jane Doe's behalf" → "Jane Doe"), and runs
 * holding words that name institutions or documents ("Supreme Court", "Lease Agreement") are not people.
 * Names are normalised: titles and possessives dropped, spacing collapsed, NFKC; addresses lower-cased.
 */

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;

const TITLES = new Set([
	'mr',
	'mrs',
	'ms',
	'miss',
	'dr',
	'prof',
	'professor',
	'judge',
	'justice',
	'hon',
	'sir',
	'dame',
	'lord',
	'lady'
]);

const MONTHS_AND_DAYS = new Set([
	'january',
	'february',
	'march',
	'april',
	'may',
	'june',
	'july',
	'august',
	'september',
	'october',
	'november',
	'december',
	'jan',
	'feb',
	'mar',
	'apr',
	'jun',
	'jul',
	'aug',
	'sep',
	'sept',
	'oct',
	'nov',
	'dec',
	'monday',
	'tuesday',
	'wednesday',
	'thursday',
	'friday',
	'saturday',
	'sunday'
]);

/** Words that start sentences or headings without being names. */
const COMMON = new Set([
	'the',
	'a',
	'an',
	'on',
	'in',
	'at',
	'by',
	'for',
	'from',
	'to',
	'of',
	'and',
	'or',
	'but',
	'if',
	'when',
	'while',
	'after',
	'before',
	'during',
	'since',
	'until',
	'as',
	'this',
	'that',
	'these',
	'those',
	'it',
	'he',
	'she',
	'they',
	'we',
	'i',
	'you',
	'his',
	'her',
	'their',
	'our',
	'my',
	'your',
	'dear',
	'yours',
	'regards',
	'sincerely',
	'between',
	'under',
	'per',
	're',
	'subject',
	'dated',
	'signed',
	'see',
	'also',
	'then',
	'there',
	'here',
	'however',
	'about',
	'approximately',
	'around',
	'following',
	'next',
	'last',
	'yesterday',
	'today',
	'tomorrow'
]);

/**
 * Legal-entity suffixes: a run ending in one is a company or firm ("Acme Corp", "Smith & Jones LLP"), and
 * the same name without it elsewhere in the case is that company too (`organisationAliases`).
 */
export const LEGAL_SUFFIXES: ReadonlySet<string> = new Set(
	(
		'inc incorporated ltd limited llc llp lp plc pllc pc corp corporation co company gmbh ag kg sa sas sarl srl spa ' +
		'bv nv pty'
	).split(' ')
);

/**
 * Words that make a capitalised run an organisation: firms, public bodies and courts ("Alder Holdings",
 * "First National Bank", "Ministry of Justice", "Supreme Court"). Kept to nouns that almost never end a
 * person's name; a surname like "Banks" or "Court" is still read as part of an organisation here, the
 * price of listing people only.
 */
const ORGANISATION_WORDS = new Set(
	(
		'holdings holding group partners partnership associates industries enterprises ventures capital bank bancorp ' +
		'trust insurance assurance securities investments properties realty logistics shipping airlines airways motors ' +
		'pharmaceuticals laboratories labs technologies systems solutions services consulting consultants media ' +
		'international global chambers firm court courts tribunal council department ministry office agency authority ' +
		'commission board committee university college school hospital institute foundation association society ' +
		'federation union church club police government parliament congress senate administration bureau registry ' +
		'centre center'
	).split(' ')
);

/** Words that make a capitalised run a document, a place or a role rather than a person or an organisation. */
const NOT_PERSON = new Set([
	'section',
	'article',
	'clause',
	'schedule',
	'exhibit',
	'agreement',
	'contract',
	'lease',
	'act',
	'code',
	'rule',
	'rules',
	'order',
	'party',
	'parties',
	'plaintiff',
	'plaintiffs',
	'defendant',
	'defendants',
	'tenant',
	'landlord',
	'premises',
	'city',
	'county',
	'state',
	'states',
	'united',
	'kingdom',
	'district',
	'street',
	'road',
	'avenue',
	'north',
	'south',
	'east',
	'west',
	'new',
	'york',
	'supreme',
	'appeal',
	'appeals',
	'circuit',
	'estate',
	'project',
	'journal',
	'review',
	'news',
	'times',
	'post',
	'press',
	'chapter',
	'hearing',
	'meeting',
	'internet',
	'no',
	'v',
	'vs'
]);

/** Lower-case words that join the parts of an organisation's name ("Ministry of Justice", "Smith & Jones"). */
const CONNECTORS = new Set(['of', 'and', '&', 'for', 'the']);

/** Names run to four words at most ("Maria de la Cruz" counts three); longer runs are titles and headlines. */
const MAX_NAME_WORDS = 4;

const PARTICLES = new Set(['de', 'del', 'della', 'der', 'van', 'von', 'da', 'di', 'la', 'le', 'du', 'bin', 'ibn']);

/** A capitalised word (with O'Brien, Smith-Jones, McDonald), or an initial "J.". */
const WORD = /^(?:\p{Lu}[\p{Ll}\p{Lu}'’]*(?:-\p{Lu}[\p{Ll}'’]+)*|\p{Lu}\.)$/u;

function normaliseName(words: readonly string[]): string {
	return words
		.join(' ')
		.normalize('NFKC')
		.replace(/['’]s$/u, '')
		.replace(/\s+/gu, ' ')
		.trim();
}

/** What a sentence names: people (addresses included) and organisations, each normalised, in order, without repeats. */
export interface Names {
	people: string[];
	organisations: string[];
}

/** The people a sentence names, normalised, in order of first mention, without repeats. */
export function findPeople(sentence: string): string[] {
	return findNames(sentence).people;
}

const bareWord = (word: string) => word.toLowerCase().replace(/['’]s$|\.$/u, '');

/**
 * People and organisations a sentence names. Capitalised runs joined by "of", "and", "&", "for" or "the"
 * are read together: from the first run holding an organisation word or ending in a legal suffix, the
 * rest is an organisation ("Ministry of Justice", "Smith & Jones LLP"); each run before it is judged as
 * a person's name ("Jane Doe" of "Jane Doe of Alder Holdings").
 */
export function findNames(sentence: string): Names {
	const people: string[] = [];
	const organisations: string[] = [];
	const add = (list: string[], name: string) => {
		if (name && !list.includes(name)) list.push(name);
	};
	for (const m of sentence.matchAll(EMAIL)) add(people, m[0].toLowerCase().replace(/\.$/u, ''));
	const withoutEmails = sentence.replace(EMAIL, ' , ');
	const tokens = withoutEmails.split(/\s+/u).filter(Boolean);

	const person = (run: readonly string[], isSentenceStart: boolean) => {
		let words = run;
		// A common word opening a run starts a sentence ("On Monday…") or, mid-sentence, a title ("The Quiet War").
		const opensWithCommon = words.length > 0 && COMMON.has(words[0]!.toLowerCase());
		if (opensWithCommon && !isSentenceStart) words = [];
		else if (opensWithCommon) words = words.slice(1);
		while (words.length > 0 && TITLES.has(words[0]!.toLowerCase().replace(/\.$/u, ''))) words = words.slice(1);
		while (words.length > 0 && PARTICLES.has(words.at(-1)!)) words = words.slice(0, -1);
		const capitalised = words.filter((w) => !PARTICLES.has(w));
		const isPerson =
			capitalised.length >= 2 &&
			capitalised.length <= MAX_NAME_WORDS &&
			capitalised.some((w) => w.length > 2) &&
			!capitalised.some((w) => NOT_PERSON.has(bareWord(w)));
		if (isPerson) add(people, normaliseName(words));
	};

	// Runs of capitalised words, and the connectors between them, not yet judged.
	let runs: { words: string[]; start: boolean }[] = [];
	let joins: string[] = [];
	let run: string[] = [];
	let runIsSentenceStart = false;
	let connector: string[] = [];
	const endRun = () => {
		if (run.length > 0) runs.push({ words: run, start: runIsSentenceStart });
		run = [];
	};
	const judge = () => {
		endRun();
		connector = [];
		const organisational = (r: { words: string[] }) =>
			r.words.some((w) => ORGANISATION_WORDS.has(bareWord(w))) || LEGAL_SUFFIXES.has(bareWord(r.words.at(-1)!));
		// The organisation starts at the first run that marks one, taking in runs before it joined by "&"
		// ("Smith & Jones LLP"); runs before that are people ("Jane Doe of Alder Holdings").
		let first = runs.findIndex(organisational);
		if (first < 0) first = runs.length;
		while (first > 0 && first < runs.length && joins[first - 1] === '&') first--;
		for (const r of runs.slice(0, first)) person(r.words, r.start);
		if (first < runs.length) {
			const head = runs[first]!.words;
			while (head.length > 0 && COMMON.has(head[0]!.toLowerCase())) head.shift();
			const parts = runs.slice(first).flatMap((r, i) => (i === 0 ? r.words : [joins[first + i - 1]!, ...r.words]));
			const capitalised = runs.slice(first).reduce((n, r) => n + r.words.length, 0);
			if (capitalised >= 2) add(organisations, normaliseName(parts.filter(Boolean)));
		}
		runs = [];
		joins = [];
	};
	for (const [i, raw] of tokens.entries()) {
		// Punctuation after a word ends the run after it; punctuation before one starts a new run.
		const leading = /^[("“‘[]/u.test(raw);
		const word = raw.replace(/^[("“‘[]+/u, '').replace(/[)"”’\],;:!?]+$/u, '');
		const trailingStop =
			/[,;:!?)"”\]]$/u.test(raw) ||
			(/\.$/u.test(word) && !/^\p{Lu}\.$/u.test(word) && !TITLES.has(word.slice(0, -1).toLowerCase()));
		const bare = word.replace(/\.$/u, '');
		if (leading) judge();
		const isName = (WORD.test(word) || WORD.test(bare)) && !MONTHS_AND_DAYS.has(bare.toLowerCase());
		const isParticle = run.length > 0 && PARTICLES.has(bare);
		if (isName || isParticle) {
			if (run.length === 0) {
				if (runs.length > 0 && connector.length > 0) joins.push(connector.join(' '));
				else if (runs.length > 0) judge();
				connector = [];
				runIsSentenceStart = i === 0;
			}
			run.push(/^\p{Lu}\.$/u.test(word) || TITLES.has(bare.toLowerCase()) ? word : bare);
		} else if (CONNECTORS.has(word) && !trailingStop && (run.length > 0 || connector.length > 0)) {
			endRun();
			connector.push(word);
		} else judge();
		if (trailingStop) judge();
	}
	judge();
	return { people, organisations };
}

/**
 * The organisation of the case that `name`, read as a person's, is written without its legal suffix
 * ("Alder Marine" where the case also says "Alder Marine Ltd"): then it is that organisation everywhere.
 */
export function organisationOf(name: string, organisations: Iterable<string>): string | undefined {
	for (const organisation of organisations) {
		if (!organisation.startsWith(`${name} `)) continue;
		const rest = organisation
			.slice(name.length + 1)
			.split(/[\s,]+/u)
			.filter(Boolean);
		if (rest.length > 0 && rest.every((w) => LEGAL_SUFFIXES.has(bareWord(w)))) return organisation;
	}
	return undefined;
}
