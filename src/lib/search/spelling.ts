/**
 * The English word list that keeps "did you mean" from "correcting" real words the case happens not to
 * contain ("upheld" is not a misspelling of "uphold", nor "yearly" of "early"). an-array-of-english-words:
 * MIT, ~275k lower-case words with their inflections, no dependencies; ~3 MB, so it is imported only when a
 * query has a word the case lacks, into its own chunk of the search worker.
 */
let loading: Promise<ReadonlySet<string>> | undefined;

export function englishWords(): Promise<ReadonlySet<string>> {
	loading ??= import('an-array-of-english-words').then((module) => new Set<string>(module.default));
	loading.catch(() => (loading = undefined));
	return loading;
}

/** Names of days and months, and their abbreviations: words, though the list (lower-case, no proper nouns) lacks most. */
const CALENDAR: ReadonlySet<string> = new Set(
	(
		'monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun ' +
		'january february march april may june july august september october november december ' +
		'jan feb mar apr jun jul aug sep sept oct nov dec'
	).split(' ')
);

/** Contractions whose first part is not itself a word ("can't", "won't", "shan't", "ain't"). */
const IRREGULAR_NOT: ReadonlySet<string> = new Set(['ca', 'wo', 'sha', 'ai']);

/**
 * Whether a folded word is a word of the language by `english`: listed, a day or month, or a
 * contraction of a listed word ("hasn't", "they're", "she'd"), which the list does not carry.
 */
export function isEnglishWord(english: ReadonlySet<string>, word: string): boolean {
	if (english.has(word) || CALENDAR.has(word)) return true;
	const not = /^(\p{L}+)n't$/u.exec(word);
	if (not) return english.has(not[1]!) || IRREGULAR_NOT.has(not[1]!);
	const contraction = /^(\p{L}+)'(?:s|re|ve|ll|d|m)$/u.exec(word);
	return contraction !== null && english.has(contraction[1]!);
}
