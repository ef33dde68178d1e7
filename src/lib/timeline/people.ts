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

/** Words that make a capitalised run an institution, a place or a document rather than a person. */
const NOT_PERSON = new Set([
	'court',
	'courts',
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
	'inc',
	'ltd',
	'llc',
	'llp',
	'plc',
	'corp',
	'corporation',
	'company',
	'bank',
	'city',
	'county',
	'state',
	'states',
	'united',
	'kingdom',
	'district',
	'council',
	'department',
	'ministry',
	'office',
	'university',
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
	'tribunal',
	'commission',
	'board',
	'group',
	'trust',
	'estate',
	'institute',
	'foundation',
	'association',
	'society',
	'committee',
	'agency',
	'center',
	'centre',
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

/** The people a sentence names, normalised, in order of first mention, without repeats. */
export function findPeople(sentence: string): string[] {
	const found: string[] = [];
	const add = (name: string) => {
		if (name && !found.includes(name)) found.push(name);
	};
	for (const m of sentence.matchAll(EMAIL)) add(m[0].toLowerCase().replace(/\.$/u, ''));
	const withoutEmails = sentence.replace(EMAIL, ' , ');
	const tokens = withoutEmails.split(/\s+/u).filter(Boolean);
	let run: string[] = [];
	let runIsSentenceStart = false;
	const flush = () => {
		let words = run;
		// A common word opening a run starts a sentence ("On Monday…") or, mid-sentence, a title ("The Quiet War").
		const opensWithCommon = words.length > 0 && COMMON.has(words[0]!.toLowerCase());
		if (opensWithCommon && !runIsSentenceStart) words = [];
		else if (opensWithCommon) words = words.slice(1);
		while (words.length > 0 && TITLES.has(words[0]!.toLowerCase().replace(/\.$/u, ''))) words = words.slice(1);
		while (words.length > 0 && PARTICLES.has(words.at(-1)!)) words = words.slice(0, -1);
		const capitalised = words.filter((w) => !PARTICLES.has(w));
		const isPerson =
			capitalised.length >= 2 &&
			capitalised.length <= MAX_NAME_WORDS &&
			capitalised.some((w) => w.length > 2) &&
			!capitalised.some((w) => NOT_PERSON.has(w.toLowerCase().replace(/['’]s$|\.$/u, '')));
		if (isPerson) add(normaliseName(words));
		run = [];
	};
	for (const [i, raw] of tokens.entries()) {
		// Punctuation after a word ends the run after it; punctuation before one starts a new run.
		const leading = /^[("“‘[]/u.test(raw);
		const word = raw.replace(/^[("“‘[]+/u, '').replace(/[)"”’\],;:!?]+$/u, '');
		const trailingStop =
			/[,;:!?)"”\]]$/u.test(raw) ||
			(/\.$/u.test(word) && !/^\p{Lu}\.$/u.test(word) && !TITLES.has(word.slice(0, -1).toLowerCase()));
		const bare = word.replace(/\.$/u, '');
		if (leading) flush();
		const isName = (WORD.test(word) || WORD.test(bare)) && !MONTHS_AND_DAYS.has(bare.toLowerCase());
		const isParticle = run.length > 0 && PARTICLES.has(bare);
		if (isName || isParticle) {
			if (run.length === 0) runIsSentenceStart = i === 0;
			run.push(/^\p{Lu}\.$/u.test(word) || TITLES.has(bare.toLowerCase()) ? word : bare);
		} else flush();
		if (trailingStop) flush();
	}
	flush();
	return found;
}
