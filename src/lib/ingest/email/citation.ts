import type { DocumentRow } from '../../db/schema.ts';
import { formatLocation, hasLocation, type PassageLocation } from '../location.ts';
import { formatPage } from '../page-label.ts';
import { MONTHS } from './layout.ts';
import { personName } from './thread.ts';

/** "3 Mar 2024" (UTC, so every teammate cites the same day). */
export function citationDate(ms: number): string {
	const d = new Date(ms);
	return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]!} ${d.getUTCFullYear()}`;
}

type Cited = Pick<DocumentRow, 'name' | 'kind'> & Partial<Pick<DocumentRow, 'email'>>;
type Where = PassageLocation & { page: number; label?: string; bates?: string };

/**
 * How a lawyer cites a passage, in two parts: the source ("Email, Ann Smith to Bob Jones, 3 Mar 2024",
 * or the file's name) and where in it ("¶ 2", "headers", "p. 4").
 */
export function citationParts(document: Cited, where: Where): { source: string; where: string } {
	const place = hasLocation(where) ? formatLocation(where) : formatPage(where);
	const email = document.email;
	if (!email) return { source: document.name, where: place };
	const to = email.to[0] ?? email.cc[0];
	const others = email.to.length + email.cc.length > 1 ? ' and others' : '';
	const parts = ['Email', `${personName(email.from)}${to ? ` to ${personName(to)}${others}` : ''}`];
	if (email.date !== undefined) parts.push(citationDate(email.date));
	return { source: parts.join(', '), where: place };
}

/** The whole citation: "Email, Ann Smith to Bob Jones, 3 Mar 2024, ¶ 2". */
export function citeDocument(document: Cited, where: Where): string {
	const { source, where: place } = citationParts(document, where);
	return place ? `${source}, ${place}` : source;
}

/** The name a list shows for a document: a message by its subject, else the file's name. */
export function displayName(document: Cited): string {
	return document.email ? document.email.subject || '(no subject)' : document.name;
}
