// Docket is a single-page app: all data is local, so nothing renders on a server.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
