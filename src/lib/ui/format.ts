const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "5 minutes ago", "yesterday"; exact date beyond a week. */
export function formatWhen(at: number, now = Date.now()): string {
	const seconds = Math.round((at - now) / 1000);
	const abs = Math.abs(seconds);
	if (abs < 45) return 'just now';
	if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
	if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
	if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
	return absolute.format(at);
}

export function formatExact(at: number): string {
	return absolute.format(at);
}
