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
